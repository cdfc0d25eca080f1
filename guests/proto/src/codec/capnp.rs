//! Cap'n Proto, unpacked (schema/log.capnp). The builder allocates from a reused scratch space;
//! the consumer reads the message in place with the default traversal limits, taking every text
//! field as a borrowed `&str`. A batch is a `Batch` root struct whose `logs` is a `List(Log)`,
//! read with a traversal limit of the message's own size.

use super::{record_count, Codec, DecodeError};
use crate::record::*;
use crate::reply::Reply;
use crate::schema::log_capnp as schema;
use capnp::message::{ReaderOptions, ScratchSpaceHeapAllocator};
use capnp::{serialize, Word};

pub struct Capnp {
    /// Room for one message's segment, so the builder does not allocate: a record's to begin
    /// with, grown to the largest batch built so far (see [`Codec::encode_batch`]).
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

/// Record `log` into `root`.
fn set_log(mut root: schema::log::Builder<'_>, log: &Log) {
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
}

/// The message `bytes` hold, all of them.
fn read_whole(
    bytes: &[u8],
    options: ReaderOptions,
) -> Result<capnp::message::Reader<serialize::BufferSegments<&[u8]>>, DecodeError> {
    let mut rest = bytes;
    let message = serialize::read_message_from_flat_slice(&mut rest, options).map_err(bad)?;
    if !rest.is_empty() {
        return Err(bad(format_args!("{} trailing bytes", rest.len())));
    }
    Ok(message)
}

/// A record's fields, its text borrowed in place.
fn log_ref(log: schema::log::Reader<'_>) -> Result<LogRef<'_>, DecodeError> {
    let http = log.get_http().map_err(bad)?;
    let origin = log.get_origin().map_err(bad)?;
    Ok(LogRef {
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
    })
}

impl Codec for Capnp {
    type View<'a> = LogRef<'a>;
    /// The segment is read in place as words.
    const INPUT_ALIGN: usize = 8;

    fn encode(&mut self, log: &Log) -> &[u8] {
        let mut space = ScratchSpaceHeapAllocator::new(Word::words_to_bytes_mut(&mut self.scratch));
        let mut message = capnp::message::Builder::new(&mut space);
        set_log(message.init_root::<schema::log::Builder>(), log);
        Capnp::serialize(&mut self.out, &message)
    }

    /// The first batch of a size outgrows the scratch space: the builder takes further segments
    /// from the heap, and the scratch space then grows to the words they held together, so the
    /// next batch of that size is built in one segment without allocating, as a service sending
    /// such batches would settle to.
    fn encode_batch(&mut self, logs: &[Log]) -> &[u8] {
        let words = {
            let mut space = ScratchSpaceHeapAllocator::new(Word::words_to_bytes_mut(&mut self.scratch));
            let mut message = capnp::message::Builder::new(&mut space);
            let root = message.init_root::<schema::batch::Builder>();
            let mut list = root.init_logs(record_count(logs));
            for (i, log) in (0..).zip(logs) {
                set_log(list.reborrow().get(i), log);
            }
            Capnp::serialize(&mut self.out, &message);
            let segments = message.get_segments_for_output();
            if segments.len() == 1 {
                0
            } else {
                segments.iter().map(|segment| segment.len() / 8).sum()
            }
        };
        if words > self.scratch.len() {
            self.scratch = Word::allocate_zeroed_vec(words);
        }
        &self.out
    }

    fn decode<R>(&mut self, bytes: &[u8], read: impl FnOnce(&LogRef<'_>) -> R) -> Result<R, DecodeError> {
        let message = read_whole(bytes, ReaderOptions::new())?;
        let log: schema::log::Reader = message.get_root().map_err(bad)?;
        Ok(read(&log_ref(log)?))
    }

    /// The traversal limit is the message's own size in words: reading each of its objects once,
    /// as this does, traverses no more, and a message crafted to be read over and over (pointers
    /// into the same records) is refused there.
    fn decode_batch(&mut self, bytes: &[u8], mut read: impl FnMut(&LogRef<'_>)) -> Result<u32, DecodeError> {
        let mut options = ReaderOptions::new();
        options.traversal_limit_in_words(Some(bytes.len() / 8));
        let message = read_whole(bytes, options)?;
        let batch: schema::batch::Reader = message.get_root().map_err(bad)?;
        let logs = batch.get_logs().map_err(bad)?;
        for log in logs {
            read(&log_ref(log)?);
        }
        Ok(logs.len())
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
        let message = read_whole(bytes, ReaderOptions::new())?;
        let r: schema::reply::Reader = message.get_root().map_err(bad)?;
        Ok(Reply { timestamp: r.get_timestamp(), request_bytes: r.get_request_bytes(), digest: r.get_digest() })
    }
}
