//! Hand-rolled bytes: fixed-width little-endian integers in field order, enums as one byte,
//! strings as a `u32` length and UTF-8 bytes. Decoding validates and borrows the strings in place.
//! A batch is the record count (`u32`) followed by each record as one is encoded.

use super::{record_count, Codec, DecodeError};
use crate::record::*;
use crate::reply::Reply;

#[derive(Default)]
pub struct Raw {
    out: Vec<u8>,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// One record, appended to `out`.
fn put_log(out: &mut Vec<u8>, log: &Log) {
    out.extend_from_slice(&log.timestamp.to_le_bytes());
    out.extend_from_slice(&log.zone_id.to_le_bytes());
    out.push(log.zone_plan as u8);
    let http = &log.http;
    out.push(http.protocol as u8);
    out.extend_from_slice(&http.status.to_le_bytes());
    out.extend_from_slice(&http.host_status.to_le_bytes());
    out.extend_from_slice(&http.up_status.to_le_bytes());
    out.push(http.method as u8);
    put_str(out, &http.content_type);
    put_str(out, &http.user_agent);
    put_str(out, &http.referer);
    put_str(out, &http.request_uri);
    put_str(out, &log.origin.ip);
    out.extend_from_slice(&log.origin.port.to_le_bytes());
    put_str(out, &log.origin.hostname);
    out.push(log.origin.protocol as u8);
    out.push(log.country as u8);
    out.push(log.cache_status as u8);
    put_str(out, &log.server_ip);
    put_str(out, &log.server_name);
    put_str(out, &log.remote_ip);
    out.extend_from_slice(&log.bytes_dlv.to_le_bytes());
    put_str(out, &log.ray_id);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, what: &str, at: usize) -> DecodeError {
        DecodeError::new(format_args!("raw: {what} at byte {at} of {}", self.bytes.len()))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| self.error("message truncated", self.at))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        self.array().map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Result<i64, DecodeError> {
        self.array().map(i64::from_le_bytes)
    }

    fn str(&mut self) -> Result<&'a str, DecodeError> {
        let len = self.u32()? as usize;
        let at = self.at;
        core::str::from_utf8(self.take(len)?).map_err(|_| self.error("invalid UTF-8", at))
    }

    fn enumeration<T>(&mut self, from: fn(u8) -> Option<T>) -> Result<T, DecodeError> {
        let at = self.at;
        from(self.u8()?).ok_or_else(|| self.error("unknown enum value", at))
    }

    /// One record, its strings borrowed from the message.
    fn log(&mut self) -> Result<LogRef<'a>, DecodeError> {
        Ok(LogRef {
            timestamp: self.i64()?,
            zone_id: self.u32()?,
            zone_plan: self.enumeration(ZonePlan::from_u8)?,
            http_protocol: self.enumeration(HttpProtocol::from_u8)?,
            http_status: self.u32()?,
            http_host_status: self.u32()?,
            http_up_status: self.u32()?,
            http_method: self.enumeration(HttpMethod::from_u8)?,
            http_content_type: self.str()?,
            http_user_agent: self.str()?,
            http_referer: self.str()?,
            http_request_uri: self.str()?,
            origin_ip: self.str()?,
            origin_port: self.u32()?,
            origin_hostname: self.str()?,
            origin_protocol: self.enumeration(OriginProtocol::from_u8)?,
            country: self.enumeration(Country::from_u8)?,
            cache_status: self.enumeration(CacheStatus::from_u8)?,
            server_ip: self.str()?,
            server_name: self.str()?,
            remote_ip: self.str()?,
            bytes_dlv: self.u64()?,
            ray_id: self.str()?,
        })
    }

    fn finish(&self) -> Result<(), DecodeError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(self.error("trailing bytes", self.at))
        }
    }
}

impl Codec for Raw {
    type View<'a> = LogRef<'a>;

    fn encode(&mut self, log: &Log) -> &[u8] {
        self.out.clear();
        put_log(&mut self.out, log);
        &self.out
    }

    fn encode_batch(&mut self, logs: &[Log]) -> &[u8] {
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(&record_count(logs).to_le_bytes());
        for log in logs {
            put_log(out, log);
        }
        out
    }

    fn decode<R>(&mut self, bytes: &[u8], read: impl FnOnce(&LogRef<'_>) -> R) -> Result<R, DecodeError> {
        let mut r = Reader { bytes, at: 0 };
        let view = r.log()?;
        r.finish()?;
        Ok(read(&view))
    }

    fn decode_batch(&mut self, bytes: &[u8], mut read: impl FnMut(&LogRef<'_>)) -> Result<u32, DecodeError> {
        let mut r = Reader { bytes, at: 0 };
        let records = r.u32()?;
        for _ in 0..records {
            read(&r.log()?);
        }
        r.finish()?;
        Ok(records)
    }

    fn encode_reply(&mut self, reply: &Reply) -> &[u8] {
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(&reply.timestamp.to_le_bytes());
        out.extend_from_slice(&reply.request_bytes.to_le_bytes());
        out.extend_from_slice(&reply.digest.to_le_bytes());
        out
    }

    fn decode_reply(&mut self, bytes: &[u8]) -> Result<Reply, DecodeError> {
        let mut r = Reader { bytes, at: 0 };
        let reply = Reply { timestamp: r.i64()?, request_bytes: r.u32()?, digest: r.u64()? };
        r.finish()?;
        Ok(reply)
    }
}
