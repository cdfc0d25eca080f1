//! FlatBuffers (schema/log.fbs). The builder is reused between messages; the consumer verifies
//! the buffer once, then reads every field in place through the generated table accessors. A
//! batch is a `Batch` root table whose vector `logs` holds the records' `Log` tables.

use super::{Codec, DecodeError};
use crate::record::*;
use crate::reply::Reply;
use crate::schema::log_fbs::wasmatrix::fbs;
use flatbuffers::{FlatBufferBuilder, VerifierOptions, WIPOffset};

pub struct Flatbuffers {
    builder: FlatBufferBuilder<'static>,
    /// A batch's `Log` tables, written before the vector that refers to them; reused.
    tables: Vec<WIPOffset<fbs::Log<'static>>>,
}

impl Default for Flatbuffers {
    fn default() -> Self {
        Flatbuffers { builder: FlatBufferBuilder::with_capacity(1024), tables: Vec::new() }
    }
}

/// A verified `Log` table whose enums are known to be in range.
pub struct FbLog<'a>(fbs::Log<'a>);

fn bad(what: impl core::fmt::Display) -> DecodeError {
    DecodeError::new(format_args!("flatbuffers: {what}"))
}

fn check<T>(value: u8, from: fn(u8) -> Option<T>, field: &str) -> Result<(), DecodeError> {
    from(value).map(drop).ok_or_else(|| bad(format_args!("{field} has no variant {value}")))
}

/// Record `log` as a `Log` table, its strings and nested tables written first.
fn log_table(b: &mut FlatBufferBuilder<'static>, log: &Log) -> WIPOffset<fbs::Log<'static>> {
    let h = &log.http;
    let http_args = fbs::HttpArgs {
        protocol: fbs::HttpProtocol(h.protocol as u8),
        status: h.status,
        host_status: h.host_status,
        up_status: h.up_status,
        method: fbs::HttpMethod(h.method as u8),
        content_type: Some(b.create_string(&h.content_type)),
        user_agent: Some(b.create_string(&h.user_agent)),
        referer: Some(b.create_string(&h.referer)),
        request_uri: Some(b.create_string(&h.request_uri)),
    };
    let http = fbs::Http::create(b, &http_args);
    let o = &log.origin;
    let origin_args = fbs::OriginArgs {
        ip: Some(b.create_string(&o.ip)),
        port: o.port,
        hostname: Some(b.create_string(&o.hostname)),
        protocol: fbs::OriginProtocol(o.protocol as u8),
    };
    let origin = fbs::Origin::create(b, &origin_args);
    let log_args = fbs::LogArgs {
        timestamp: log.timestamp,
        zone_id: log.zone_id,
        zone_plan: fbs::ZonePlan(log.zone_plan as u8),
        http: Some(http),
        origin: Some(origin),
        country: fbs::Country(log.country as u8),
        cache_status: fbs::CacheStatus(log.cache_status as u8),
        server_ip: Some(b.create_string(&log.server_ip)),
        server_name: Some(b.create_string(&log.server_name)),
        remote_ip: Some(b.create_string(&log.remote_ip)),
        bytes_dlv: log.bytes_dlv,
        ray_id: Some(b.create_string(&log.ray_id)),
    };
    fbs::Log::create(b, &log_args)
}

/// A verified `Log` table, once its enums are known to be in range.
fn checked(log: fbs::Log<'_>) -> Result<FbLog<'_>, DecodeError> {
    let (http, origin) = (log.http(), log.origin());
    check(log.zone_plan().0, ZonePlan::from_u8, "zone_plan")?;
    check(http.protocol().0, HttpProtocol::from_u8, "http.protocol")?;
    check(http.method().0, HttpMethod::from_u8, "http.method")?;
    check(origin.protocol().0, OriginProtocol::from_u8, "origin.protocol")?;
    check(log.country().0, Country::from_u8, "country")?;
    check(log.cache_status().0, CacheStatus::from_u8, "cache_status")?;
    Ok(FbLog(log))
}

/// The verifier's limits for a batch of `len` bytes, from its length rather than the defaults
/// (a million tables, 2 GiB), which a batch of some 330 000 records (3 tables each) would pass.
/// Every table starts with the 4-byte offset of its vtable, so a message holds at most `len / 4`
/// tables; only tables shared between records (a DAG, which no encoder of ours writes) are visited
/// more often. The apparent size counts each string and table once per visit, and the vtable that
/// every table of a type shares once per table: a batch we wrote appears some 1.3 times its length
/// (our tables are about as large as their vtables or larger, so never twice), and twice bounds
/// what a DAG can make the verifier read.
fn batch_limits(len: usize) -> VerifierOptions {
    VerifierOptions { max_tables: len / 4, max_apparent_size: len.saturating_mul(2), ..VerifierOptions::default() }
}

impl Codec for Flatbuffers {
    type View<'a> = FbLog<'a>;

    fn encode(&mut self, log: &Log) -> &[u8] {
        let b = &mut self.builder;
        b.reset();
        let root = log_table(b, log);
        b.finish(root, None);
        b.finished_data()
    }

    fn encode_batch(&mut self, logs: &[Log]) -> &[u8] {
        let b = &mut self.builder;
        b.reset();
        self.tables.clear();
        self.tables.extend(logs.iter().map(|log| log_table(b, log)));
        let logs = Some(b.create_vector(&self.tables));
        let root = fbs::Batch::create(b, &fbs::BatchArgs { logs });
        b.finish(root, None);
        b.finished_data()
    }

    fn decode<R>(&mut self, bytes: &[u8], read: impl FnOnce(&FbLog<'_>) -> R) -> Result<R, DecodeError> {
        let log = flatbuffers::root::<fbs::Log>(bytes).map_err(bad)?;
        Ok(read(&checked(log)?))
    }

    fn decode_batch(&mut self, bytes: &[u8], mut read: impl FnMut(&FbLog<'_>)) -> Result<u32, DecodeError> {
        let batch = flatbuffers::root_with_opts::<fbs::Batch>(&batch_limits(bytes.len()), bytes).map_err(bad)?;
        let logs = batch.logs();
        for log in logs {
            read(&checked(log)?);
        }
        u32::try_from(logs.len()).map_err(bad)
    }

    fn encode_reply(&mut self, reply: &Reply) -> &[u8] {
        let b = &mut self.builder;
        b.reset();
        let args =
            fbs::ReplyArgs { timestamp: reply.timestamp, request_bytes: reply.request_bytes, digest: reply.digest };
        let root = fbs::Reply::create(b, &args);
        b.finish(root, None);
        b.finished_data()
    }

    fn decode_reply(&mut self, bytes: &[u8]) -> Result<Reply, DecodeError> {
        let r = flatbuffers::root::<fbs::Reply>(bytes).map_err(bad)?;
        Ok(Reply { timestamp: r.timestamp(), request_bytes: r.request_bytes(), digest: r.digest() })
    }
}

// Enum values were checked in `decode`, so the defaults below are never taken.
impl LogView for FbLog<'_> {
    fn timestamp(&self) -> i64 {
        self.0.timestamp()
    }
    fn zone_id(&self) -> u32 {
        self.0.zone_id()
    }
    fn zone_plan(&self) -> ZonePlan {
        ZonePlan::from_u8(self.0.zone_plan().0).unwrap_or_default()
    }
    fn http_protocol(&self) -> HttpProtocol {
        HttpProtocol::from_u8(self.0.http().protocol().0).unwrap_or_default()
    }
    fn http_status(&self) -> u32 {
        self.0.http().status()
    }
    fn http_host_status(&self) -> u32 {
        self.0.http().host_status()
    }
    fn http_up_status(&self) -> u32 {
        self.0.http().up_status()
    }
    fn http_method(&self) -> HttpMethod {
        HttpMethod::from_u8(self.0.http().method().0).unwrap_or_default()
    }
    fn http_content_type(&self) -> &str {
        self.0.http().content_type()
    }
    fn http_user_agent(&self) -> &str {
        self.0.http().user_agent()
    }
    fn http_referer(&self) -> &str {
        self.0.http().referer()
    }
    fn http_request_uri(&self) -> &str {
        self.0.http().request_uri()
    }
    fn origin_ip(&self) -> &str {
        self.0.origin().ip()
    }
    fn origin_port(&self) -> u32 {
        self.0.origin().port()
    }
    fn origin_hostname(&self) -> &str {
        self.0.origin().hostname()
    }
    fn origin_protocol(&self) -> OriginProtocol {
        OriginProtocol::from_u8(self.0.origin().protocol().0).unwrap_or_default()
    }
    fn country(&self) -> Country {
        Country::from_u8(self.0.country().0).unwrap_or_default()
    }
    fn cache_status(&self) -> CacheStatus {
        CacheStatus::from_u8(self.0.cache_status().0).unwrap_or_default()
    }
    fn server_ip(&self) -> &str {
        self.0.server_ip()
    }
    fn server_name(&self) -> &str {
        self.0.server_name()
    }
    fn remote_ip(&self) -> &str {
        self.0.remote_ip()
    }
    fn bytes_dlv(&self) -> u64 {
        self.0.bytes_dlv()
    }
    fn ray_id(&self) -> &str {
        self.0.ray_id()
    }
}
