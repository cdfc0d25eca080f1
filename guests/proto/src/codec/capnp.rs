//! Cap'n Proto, unpacked (schema/log.capnp). The builder allocates from a reused scratch space;
//! the consumer reads the message in place with the default traversal limits, taking every text
//! field as a borrowed `&str`.

use super::{Codec, DecodeError};
use crate::record::*;
use crate::reply::Reply;
use crate::schema::log_capnp as schema;
use capnp::message::{ReaderOptions, ScratchSpaceHeapAllocator};
use capnp::{serialize, Word};

pub struct Capnp {
    /// Room for one message's segment, so the builder does not allocate.
    scratch: Vec<Word>,
    /// The serialized message: segment table and segment. Messages are read in place, which
    /// needs 8-byte alignment; the guests' buffers are allocated with at least that.
    out: Vec<u8>,
}

impl Default for Capnp {
    fn default() -> Self {
        Capnp { scratch: Word::allocate_zeroed_vec(256), out: Vec::new() }
    }
}

fn bad(what: impl core::fmt::Display) -> DecodeError {
    DecodeError::new(format_args!("capnp: {what}"))
}

fn text(t: capnp::Result<capnp::text::Reader<'_>>) -> Result<&str, DecodeError> {
    t.map_err(bad)?.to_str().map_err(bad)
}

/// One of our enums from a schema enum's number.
fn enumeration<T>(value: Result<u16, capnp::NotInSchema>, from: fn(u8) -> Option<T>) -> Result<T, DecodeError> {
    let value = value.map_err(bad)?;
    u8::try_from(value).ok().and_then(from).ok_or_else(|| bad(format_args!("enum value {value} is not ours")))
}

/// A schema enum from one of ours: both list the same values (see schema/log.capnp).
fn schema_enum<T: TryFrom<u16>>(value: u8) -> T {
    T::try_from(u16::from(value)).unwrap_or_else(|_| unreachable!("schema/log.capnp lists every value of record.rs"))
}

impl Capnp {
    fn serialize<'o, A: capnp::message::Allocator>(
        out: &'o mut Vec<u8>,
        message: &capnp::message::Builder<A>,
    ) -> &'o [u8] {
        out.clear();
        // Writing into a Vec cannot fail.
        serialize::write_message(&mut *out, message).expect("capnp writes into a Vec");
        out
    }
}

impl Codec for Capnp {
    type View<'a> = LogRef<'a>;
    /// The segment is read in place as words.
    const INPUT_ALIGN: usize = 8;

    fn encode(&mut self, log: &Log) -> &[u8] {
        let mut space = ScratchSpaceHeapAllocator::new(Word::words_to_bytes_mut(&mut self.scratch));
        let mut message = capnp::message::Builder::new(&mut space);
        let mut root = message.init_root::<schema::log::Builder>();
        root.set_timestamp(log.timestamp);
        root.set_zone_id(log.zone_id);
        root.set_zone_plan(schema_enum(log.zone_plan as u8));
        root.set_country(schema_enum(log.country as u8));
        root.set_cache_status(schema_enum(log.cache_status as u8));
        root.set_server_ip(&log.server_ip[..]);
        root.set_server_name(&log.server_name[..]);
        root.set_remote_ip(&log.remote_ip[..]);
        root.set_bytes_dlv(log.bytes_dlv);
        root.set_ray_id(&log.ray_id[..]);
        let h = &log.http;
        let mut http = root.reborrow().init_http();
        http.set_protocol(schema_enum(h.protocol as u8));
        http.set_status(h.status);
        http.set_host_status(h.host_status);
        http.set_up_status(h.up_status);
        http.set_method(schema_enum(h.method as u8));
        http.set_content_type(&h.content_type[..]);
        http.set_user_agent(&h.user_agent[..]);
        http.set_referer(&h.referer[..]);
        http.set_request_uri(&h.request_uri[..]);
        let o = &log.origin;
        let mut origin = root.init_origin();
        origin.set_ip(&o.ip[..]);
        origin.set_port(o.port);
        origin.set_hostname(&o.hostname[..]);
        origin.set_protocol(schema_enum(o.protocol as u8));
        Capnp::serialize(&mut self.out, &message)
    }

    fn decode<R>(&mut self, bytes: &[u8], read: impl FnOnce(&LogRef<'_>) -> R) -> Result<R, DecodeError> {
        let mut rest = bytes;
        let message = serialize::read_message_from_flat_slice(&mut rest, ReaderOptions::new()).map_err(bad)?;
        if !rest.is_empty() {
            return Err(bad(format_args!("{} trailing bytes", rest.len())));
        }
        let log: schema::log::Reader = message.get_root().map_err(bad)?;
        let http = log.get_http().map_err(bad)?;
        let origin = log.get_origin().map_err(bad)?;
        let view = LogRef {
            timestamp: log.get_timestamp(),
            zone_id: log.get_zone_id(),
            zone_plan: enumeration(log.get_zone_plan().map(|e| e as u16), ZonePlan::from_u8)?,
            http_protocol: enumeration(http.get_protocol().map(|e| e as u16), HttpProtocol::from_u8)?,
            http_status: http.get_status(),
            http_host_status: http.get_host_status(),
            http_up_status: http.get_up_status(),
            http_method: enumeration(http.get_method().map(|e| e as u16), HttpMethod::from_u8)?,
            http_content_type: text(http.get_content_type())?,
            http_user_agent: text(http.get_user_agent())?,
            http_referer: text(http.get_referer())?,
            http_request_uri: text(http.get_request_uri())?,
            origin_ip: text(origin.get_ip())?,
            origin_port: origin.get_port(),
            origin_hostname: text(origin.get_hostname())?,
            origin_protocol: enumeration(origin.get_protocol().map(|e| e as u16), OriginProtocol::from_u8)?,
            country: enumeration(log.get_country().map(|e| e as u16), Country::from_u8)?,
            cache_status: enumeration(log.get_cache_status().map(|e| e as u16), CacheStatus::from_u8)?,
            server_ip: text(log.get_server_ip())?,
            server_name: text(log.get_server_name())?,
            remote_ip: text(log.get_remote_ip())?,
            bytes_dlv: log.get_bytes_dlv(),
            ray_id: text(log.get_ray_id())?,
        };
        Ok(read(&view))
    }

    fn encode_reply(&mut self, reply: &Reply) -> &[u8] {
        let mut space = ScratchSpaceHeapAllocator::new(Word::words_to_bytes_mut(&mut self.scratch));
        let mut message = capnp::message::Builder::new(&mut space);
        let mut root = message.init_root::<schema::reply::Builder>();
        root.set_timestamp(reply.timestamp);
        root.set_request_bytes(reply.request_bytes);
        root.set_digest(reply.digest);
        Capnp::serialize(&mut self.out, &message)
    }

    fn decode_reply(&mut self, bytes: &[u8]) -> Result<Reply, DecodeError> {
        let mut rest = bytes;
        let message = serialize::read_message_from_flat_slice(&mut rest, ReaderOptions::new()).map_err(bad)?;
        if !rest.is_empty() {
            return Err(bad(format_args!("{} trailing bytes", rest.len())));
        }
        let r: schema::reply::Reader = message.get_root().map_err(bad)?;
        Ok(Reply { timestamp: r.get_timestamp(), request_bytes: r.get_request_bytes(), digest: r.get_digest() })
    }
}
