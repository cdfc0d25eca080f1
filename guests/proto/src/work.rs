//! The consumer's work on one record: real string handling, defined on [`LogView`] so that it is
//! the same whichever codec carried the record.

use crate::hash::Fnv;
use crate::record::LogView;
use crate::reply::Reply;

/// Scratch buffers the consumer keeps between messages, so the work does not allocate.
#[derive(Default)]
pub struct Scratch {
    uri: String,
    agent: String,
}

/// Normalises the request URI (resolves `.`/`..`, drops empty segments, lower-cases the path, keeps
/// the query), upper-cases the user agent, and hashes every field together with both results.
pub fn process(log: &impl LogView, request_bytes: u32, scratch: &mut Scratch) -> Reply {
    normalise_uri(log.http_request_uri(), &mut scratch.uri);
    scratch.agent.clear();
    scratch.agent.push_str(log.http_user_agent());
    scratch.agent.make_ascii_uppercase();

    let mut h = Fnv::default();
    h.u64(log.timestamp() as u64);
    h.u64(u64::from(log.zone_id()));
    h.u64(log.zone_plan() as u64);
    h.u64(log.http_protocol() as u64);
    h.u64(u64::from(log.http_status()));
    h.u64(u64::from(log.http_host_status()));
    h.u64(u64::from(log.http_up_status()));
    h.u64(log.http_method() as u64);
    h.str(log.http_content_type());
    h.str(&scratch.agent);
    h.str(log.http_referer());
    h.str(&scratch.uri);
    h.str(log.origin_ip());
    h.u64(u64::from(log.origin_port()));
    h.str(log.origin_hostname());
    h.u64(log.origin_protocol() as u64);
    h.u64(log.country() as u64);
    h.u64(log.cache_status() as u64);
    h.str(log.server_ip());
    h.str(log.server_name());
    h.str(log.remote_ip());
    h.u64(log.bytes_dlv());
    h.str(log.ray_id());

    Reply { timestamp: log.timestamp(), request_bytes, digest: h.finish() }
}

/// `/Static/./img//../API?id=1` becomes `/static/api?id=1`.
pub fn normalise_uri(uri: &str, out: &mut String) {
    let (path, query) = match uri.find('?') {
        Some(q) => uri.split_at(q),
        None => (uri, ""),
    };
    out.clear();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                let parent = out.rfind('/').unwrap_or(0);
                out.truncate(parent);
            }
            s => {
                out.push('/');
                let start = out.len();
                out.push_str(s);
                out[start..].make_ascii_lowercase();
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out.push_str(query);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Log;

    fn norm(uri: &str) -> String {
        let mut out = String::new();
        normalise_uri(uri, &mut out);
        out
    }

    #[test]
    fn normalises_paths() {
        assert_eq!(norm("/Static/./img//../API?id=1"), "/static/api?id=1");
        assert_eq!(norm("/../.."), "/");
        assert_eq!(norm("/a/b/../../c"), "/c");
        assert_eq!(norm(""), "/");
        assert_eq!(norm("/X?Q=Up"), "/x?Q=Up");
    }

    #[test]
    fn digest_covers_fields() {
        let mut scratch = Scratch::default();
        let log = Log::nth(1);
        let base = process(&log, 10, &mut scratch);
        let mut other = log.clone();
        other.ray_id.push('x');
        assert_ne!(process(&other, 10, &mut scratch).digest, base.digest);
        let mut agent = log.clone();
        agent.http.user_agent.make_ascii_lowercase();
        // the agent is upper-cased first, so its case does not matter...
        assert_eq!(process(&agent, 10, &mut scratch).digest, base.digest);
        assert_eq!(base.timestamp, log.timestamp);
        assert_eq!(base.request_bytes, 10);
    }
}
