/// The consumer's answer to one record: small on purpose, so a round trip is dominated by the
/// request. The producer checks `timestamp` and `request_bytes` against what it sent and folds
/// `digest` into the run's checksum.
#[derive(
    Clone,
    Copy,
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
pub struct Reply {
    /// Echo of the record's timestamp: proves the reply answers this request.
    pub timestamp: i64,
    /// Length of the encoded request the consumer read: proves it saw all of it.
    pub request_bytes: u32,
    /// Digest of the consumer's work on the record ([`crate::work::process`]).
    pub digest: u64,
}
