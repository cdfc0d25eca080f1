# The goser Log record and the consumer's reply, for the `capnp` codec.
# Field order and enum values match guests/proto/src/record.rs; capnpc generates Rust from this at
# build time (guests/proto/build.rs).
@0xfcb6095c3a4f8ce4;

enum ZonePlan { free @0; pro @1; biz @2; ent @3; }
enum HttpProtocol { http10 @0; http11 @1; http2 @2; }
enum HttpMethod {
  get @0; post @1; delete @2; put @3; head @4; purge @5; options @6; propfind @7; mkcol @8; patch @9;
}
enum OriginProtocol { http @0; https @1; }
enum CacheStatus { unknown @0; miss @1; expired @2; hit @3; }
enum Country {
  us @0; gb @1; de @2; fr @3; nl @4; se @5; jp @6; cn @7; in @8; br @9; au @10; ca @11; za @12;
  ng @13; ar @14; mx @15;
}

struct Http {
  protocol @0 :HttpProtocol;
  status @1 :UInt32;
  hostStatus @2 :UInt32;
  upStatus @3 :UInt32;
  method @4 :HttpMethod;
  contentType @5 :Text;
  userAgent @6 :Text;
  referer @7 :Text;
  requestUri @8 :Text;
}

struct Origin {
  ip @0 :Text;
  port @1 :UInt32;
  hostname @2 :Text;
  protocol @3 :OriginProtocol;
}

struct Log {
  timestamp @0 :Int64;
  zoneId @1 :UInt32;
  zonePlan @2 :ZonePlan;
  http @3 :Http;
  origin @4 :Origin;
  country @5 :Country;
  cacheStatus @6 :CacheStatus;
  serverIp @7 :Text;
  serverName @8 :Text;
  remoteIp @9 :Text;
  bytesDlv @10 :UInt64;
  rayId @11 :Text;
}

# A message of two or more records (issue 31: the payload-size axis); a message of one is the Log
# struct itself, as before.
struct Batch {
  logs @0 :List(Log);
}

struct Reply {
  timestamp @0 :Int64;
  requestBytes @1 :UInt32;
  digest @2 :UInt64;
}
