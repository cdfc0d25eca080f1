//! The `Log` record of the "goser" benchmark (a CDN access-log line), and how record `i` of a run
//! is made. Enums are carried as `u8` on the wire; [`LogView`] is what the consumer reads, so a
//! zero-copy codec can hand out borrowed fields without building a `Log`.

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $v:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[derive(serde::Serialize, serde::Deserialize, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
        #[repr(u8)]
        pub enum $name {
            #[default]
            $($variant = $v),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value from its wire byte, or `None` if no variant has it.
            pub fn from_u8(b: u8) -> Option<Self> {
                match b {
                    $($v => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

wire_enum!(ZonePlan { Free = 0, Pro = 1, Biz = 2, Ent = 3 });
wire_enum!(HttpProtocol { Http10 = 0, Http11 = 1, Http2 = 2 });
wire_enum!(HttpMethod {
    Get = 0, Post = 1, Delete = 2, Put = 3, Head = 4, Purge = 5, Options = 6, Propfind = 7,
    Mkcol = 8, Patch = 9,
});
wire_enum!(OriginProtocol { Http = 0, Https = 1 });
wire_enum!(CacheStatus { Unknown = 0, Miss = 1, Expired = 2, Hit = 3 });
wire_enum!(
    /// A sample of the ISO 3166 codes goser's `Country` enum lists.
    Country {
        Us = 0, Gb = 1, De = 2, Fr = 3, Nl = 4, Se = 5, Jp = 6, Cn = 7, In = 8, Br = 9, Au = 10,
        Ca = 11, Za = 12, Ng = 13, Ar = 14, Mx = 15,
    }
);

#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
)]
pub struct Http {
    pub protocol: HttpProtocol,
    pub status: u32,
    pub host_status: u32,
    pub up_status: u32,
    pub method: HttpMethod,
    pub content_type: String,
    pub user_agent: String,
    pub referer: String,
    pub request_uri: String,
}

#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
)]
pub struct Origin {
    pub ip: String,
    pub port: u32,
    pub hostname: String,
    pub protocol: OriginProtocol,
}

#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
)]
pub struct Log {
    pub timestamp: i64,
    pub zone_id: u32,
    pub zone_plan: ZonePlan,
    pub http: Http,
    pub origin: Origin,
    pub country: Country,
    pub cache_status: CacheStatus,
    pub server_ip: String,
    pub server_name: String,
    pub remote_ip: String,
    pub bytes_dlv: u64,
    pub ray_id: String,
}

/// Read access to one record, however it is stored: an owned [`Log`], or fields borrowed from
/// an encoded message. The consumer's work ([`crate::work`]) is defined on this, so every codec
/// yields the same digest for the same record.
pub trait LogView {
    fn timestamp(&self) -> i64;
    fn zone_id(&self) -> u32;
    fn zone_plan(&self) -> ZonePlan;
    fn http_protocol(&self) -> HttpProtocol;
    fn http_status(&self) -> u32;
    fn http_host_status(&self) -> u32;
    fn http_up_status(&self) -> u32;
    fn http_method(&self) -> HttpMethod;
    fn http_content_type(&self) -> &str;
    fn http_user_agent(&self) -> &str;
    fn http_referer(&self) -> &str;
    fn http_request_uri(&self) -> &str;
    fn origin_ip(&self) -> &str;
    fn origin_port(&self) -> u32;
    fn origin_hostname(&self) -> &str;
    fn origin_protocol(&self) -> OriginProtocol;
    fn country(&self) -> Country;
    fn cache_status(&self) -> CacheStatus;
    fn server_ip(&self) -> &str;
    fn server_name(&self) -> &str;
    fn remote_ip(&self) -> &str;
    fn bytes_dlv(&self) -> u64;
    fn ray_id(&self) -> &str;
}

/// The accessors of [`LogView`] that read a field as it is, for a struct with [`Log`]'s shape
/// (the same field names, nested `http` and `origin`, `String`s or `&str`s): [`Log`] itself and
/// the consumer component's WIT-generated record. The enum accessors are each type's own.
#[macro_export]
macro_rules! log_view_fields {
    () => {
        fn timestamp(&self) -> i64 {
            self.timestamp
        }
        fn zone_id(&self) -> u32 {
            self.zone_id
        }
        fn http_status(&self) -> u32 {
            self.http.status
        }
        fn http_host_status(&self) -> u32 {
            self.http.host_status
        }
        fn http_up_status(&self) -> u32 {
            self.http.up_status
        }
        fn http_content_type(&self) -> &str {
            &self.http.content_type
        }
        fn http_user_agent(&self) -> &str {
            &self.http.user_agent
        }
        fn http_referer(&self) -> &str {
            &self.http.referer
        }
        fn http_request_uri(&self) -> &str {
            &self.http.request_uri
        }
        fn origin_ip(&self) -> &str {
            &self.origin.ip
        }
        fn origin_port(&self) -> u32 {
            self.origin.port
        }
        fn origin_hostname(&self) -> &str {
            &self.origin.hostname
        }
        fn server_ip(&self) -> &str {
            &self.server_ip
        }
        fn server_name(&self) -> &str {
            &self.server_name
        }
        fn remote_ip(&self) -> &str {
            &self.remote_ip
        }
        fn bytes_dlv(&self) -> u64 {
            self.bytes_dlv
        }
        fn ray_id(&self) -> &str {
            &self.ray_id
        }
    };
}

impl LogView for Log {
    crate::log_view_fields!();
    fn zone_plan(&self) -> ZonePlan {
        self.zone_plan
    }
    fn http_protocol(&self) -> HttpProtocol {
        self.http.protocol
    }
    fn http_method(&self) -> HttpMethod {
        self.http.method
    }
    fn origin_protocol(&self) -> OriginProtocol {
        self.origin.protocol
    }
    fn country(&self) -> Country {
        self.country
    }
    fn cache_status(&self) -> CacheStatus {
        self.cache_status
    }
}

/// A record whose strings are borrowed from an encoded message, read out once after the format
/// validated it: what the `raw` and `capnp` codecs hand the consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogRef<'a> {
    pub timestamp: i64,
    pub zone_id: u32,
    pub zone_plan: ZonePlan,
    pub http_protocol: HttpProtocol,
    pub http_status: u32,
    pub http_host_status: u32,
    pub http_up_status: u32,
    pub http_method: HttpMethod,
    pub http_content_type: &'a str,
    pub http_user_agent: &'a str,
    pub http_referer: &'a str,
    pub http_request_uri: &'a str,
    pub origin_ip: &'a str,
    pub origin_port: u32,
    pub origin_hostname: &'a str,
    pub origin_protocol: OriginProtocol,
    pub country: Country,
    pub cache_status: CacheStatus,
    pub server_ip: &'a str,
    pub server_name: &'a str,
    pub remote_ip: &'a str,
    pub bytes_dlv: u64,
    pub ray_id: &'a str,
}

impl LogView for LogRef<'_> {
    fn timestamp(&self) -> i64 {
        self.timestamp
    }
    fn zone_id(&self) -> u32 {
        self.zone_id
    }
    fn zone_plan(&self) -> ZonePlan {
        self.zone_plan
    }
    fn http_protocol(&self) -> HttpProtocol {
        self.http_protocol
    }
    fn http_status(&self) -> u32 {
        self.http_status
    }
    fn http_host_status(&self) -> u32 {
        self.http_host_status
    }
    fn http_up_status(&self) -> u32 {
        self.http_up_status
    }
    fn http_method(&self) -> HttpMethod {
        self.http_method
    }
    fn http_content_type(&self) -> &str {
        self.http_content_type
    }
    fn http_user_agent(&self) -> &str {
        self.http_user_agent
    }
    fn http_referer(&self) -> &str {
        self.http_referer
    }
    fn http_request_uri(&self) -> &str {
        self.http_request_uri
    }
    fn origin_ip(&self) -> &str {
        self.origin_ip
    }
    fn origin_port(&self) -> u32 {
        self.origin_port
    }
    fn origin_hostname(&self) -> &str {
        self.origin_hostname
    }
    fn origin_protocol(&self) -> OriginProtocol {
        self.origin_protocol
    }
    fn country(&self) -> Country {
        self.country
    }
    fn cache_status(&self) -> CacheStatus {
        self.cache_status
    }
    fn server_ip(&self) -> &str {
        self.server_ip
    }
    fn server_name(&self) -> &str {
        self.server_name
    }
    fn remote_ip(&self) -> &str {
        self.remote_ip
    }
    fn bytes_dlv(&self) -> u64 {
        self.bytes_dlv
    }
    fn ray_id(&self) -> &str {
        self.ray_id
    }
}

/// The request size of the `wit` codec, where the record crosses a component boundary as itself:
/// the bytes of all its strings plus its scalar fields at their WIT widths (`s64`/`u64` 8, `u32` 4,
/// each enum 1). That is what the canonical ABI carries beyond its layout's padding (and the
/// strings' pointer/length pairs); both guests compute it, the consumer echoes it in its reply as
/// a byte codec's consumer echoes the request's length.
pub fn typed_bytes(log: &impl LogView) -> u32 {
    const S64: usize = 8;
    const U64: usize = 8;
    const U32: usize = 4;
    const ENUM: usize = 1;
    // timestamp; zone-id, http.status, host-status, up-status, origin.port; bytes-dlv;
    // zone-plan, http.protocol, http.method, origin.protocol, country, cache-status
    let scalars = S64 + 5 * U32 + U64 + 6 * ENUM;
    let strings = [
        log.http_content_type(),
        log.http_user_agent(),
        log.http_referer(),
        log.http_request_uri(),
        log.origin_ip(),
        log.origin_hostname(),
        log.server_ip(),
        log.server_name(),
        log.remote_ip(),
        log.ray_id(),
    ];
    (scalars + strings.iter().map(|s| s.len()).sum::<usize>()) as u32
}

/// SplitMix64: a fixed, portable generator, so record `i` is the same on every target.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "curl/8.5.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
];
const CONTENT_TYPES: &[&str] = &["text/html", "application/json", "image/png", "text/css", "application/javascript"];
const HOSTS: &[&str] = &["www.example.com", "api.example.net", "static.cdn-origin.org", "shop.example.co.uk"];
const SEGMENTS: &[&str] = &["Static", "img", "..", ".", "", "API", "v2", "Users", "cdn-cgi", "trace", "Index.HTML"];

fn push_ipv4(s: &mut String, rng: &mut Rng) {
    use core::fmt::Write;
    let v = rng.next();
    let _ = write!(s, "{}.{}.{}.{}", (v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8, v as u8);
}

impl Log {
    /// Overwrites `self` with record `i` of a run, reusing its string buffers, so that making a
    /// record costs formatting, not allocation.
    pub fn fill(&mut self, i: u32) {
        use core::fmt::Write;
        let mut rng = Rng(u64::from(i) ^ 0x5eed_0000_0000);
        self.timestamp = 1_700_000_000_000 + i64::from(i) * 37;
        self.zone_id = 100_000 + rng.below(900_000) as u32;
        self.zone_plan = rng.pick(ZonePlan::ALL);
        self.country = rng.pick(Country::ALL);
        self.cache_status = rng.pick(CacheStatus::ALL);
        self.bytes_dlv = rng.below(1 << 24);

        let http = &mut self.http;
        http.protocol = rng.pick(HttpProtocol::ALL);
        http.status = rng.pick(&[200, 200, 200, 204, 301, 304, 404, 500]);
        http.host_status = rng.pick(&[200, 503]);
        http.up_status = rng.pick(&[200, 520]);
        http.method = rng.pick(HttpMethod::ALL);
        http.content_type.clear();
        http.content_type.push_str(rng.pick(CONTENT_TYPES));
        http.user_agent.clear();
        http.user_agent.push_str(rng.pick(USER_AGENTS));
        http.referer.clear();
        let _ = write!(http.referer, "https://{}/ref/{}", rng.pick(HOSTS), rng.below(10_000));
        http.request_uri.clear();
        for _ in 0..2 + rng.below(6) {
            http.request_uri.push('/');
            http.request_uri.push_str(rng.pick(SEGMENTS));
        }
        let _ = write!(http.request_uri, "?id={}&Page={}", i, rng.below(50));

        let origin = &mut self.origin;
        origin.ip.clear();
        push_ipv4(&mut origin.ip, &mut rng);
        origin.port = rng.pick(&[80, 443, 8080]);
        origin.hostname.clear();
        origin.hostname.push_str(rng.pick(HOSTS));
        origin.protocol = rng.pick(OriginProtocol::ALL);

        self.server_ip.clear();
        push_ipv4(&mut self.server_ip, &mut rng);
        self.server_name.clear();
        let _ = write!(self.server_name, "{}m{}", rng.pick(&["ams", "fra", "sjc", "nrt"]), rng.below(100));
        self.remote_ip.clear();
        push_ipv4(&mut self.remote_ip, &mut rng);
        self.ray_id.clear();
        let _ = write!(self.ray_id, "{:016x}", rng.next());
    }

    /// Record `i` as a new value (tests and one-off use; the hot path uses [`Log::fill`]).
    pub fn nth(i: u32) -> Log {
        let mut log = Log::default();
        log.fill(i);
        log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_deterministic_and_overwrites() {
        let mut reused = Log::nth(7);
        reused.fill(3);
        assert_eq!(reused, Log::nth(3));
        assert_ne!(Log::nth(3), Log::nth(4));
    }

    #[test]
    fn records_vary_in_size() {
        let lens: Vec<usize> = (0..50).map(|i| Log::nth(i).http.request_uri.len()).collect();
        assert!(lens.iter().min() < lens.iter().max());
    }

    #[test]
    fn typed_bytes_counts_strings_and_scalar_widths() {
        let empty = Log::default();
        // 8 (timestamp) + 5 * 4 (u32s) + 8 (bytes-dlv) + 6 * 1 (enums)
        assert_eq!(typed_bytes(&empty), 42);
        let mut log = Log::default();
        log.http.referer.push_str("abc");
        log.ray_id.push_str("0123456789abcdef");
        log.origin.hostname.push('h');
        log.timestamp = -1;
        log.bytes_dlv = u64::MAX;
        assert_eq!(typed_bytes(&log), 42 + 3 + 16 + 1);
        // the same for a borrowed view of the same record
        let log = Log::nth(9);
        let strings = [
            &log.http.content_type,
            &log.http.user_agent,
            &log.http.referer,
            &log.http.request_uri,
            &log.origin.ip,
            &log.origin.hostname,
            &log.server_ip,
            &log.server_name,
            &log.remote_ip,
            &log.ray_id,
        ];
        assert_eq!(typed_bytes(&log), 42 + strings.iter().map(|s| s.len() as u32).sum::<u32>());
    }

    #[test]
    fn wire_enums_round_trip_their_byte() {
        for &m in HttpMethod::ALL {
            assert_eq!(HttpMethod::from_u8(m as u8), Some(m));
        }
        assert_eq!(Country::from_u8(200), None);
    }
}
