//! What a sample measured: the samples sidecar's `metric` column ([`Metric`]), named and parsed
//! here and nowhere else; and the set-up figures made of two of them ([`Derived`]), which are no
//! sidecar name.

use std::fmt;
use wasmatrix_core::measure::MechanismKind;

/// Declares [`Metric`], its sidecar names ([`Metric::name`]) and every metric in order
/// ([`Metric::ALL`]) from one list.
macro_rules! metrics {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)+) => {
        /// A metric of the samples sidecar, its unit in its name (`_ns` nanoseconds,
        /// `_instructions` instructions executed, `_kib` KiB, `_s` seconds, `_pct` percent).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric {
            $($(#[$doc])* $variant,)+
        }

        impl Metric {
            /// Every metric, in the order of the enum.
            pub const ALL: [Metric; [$($name),+].len()] = [$(Metric::$variant),+];

            /// The metric as the sidecar names it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Metric::$variant => $name,)+
                }
            }
        }
    };
}

metrics! {
    // The repeated measurements, many samples per process: in time under `wall_clock` ...
    /// A whole round trip (encode, hand over, decode, the consumer's work, reply, check).
    RtNs = "rt_ns",
    /// A bare host-to-guest call.
    CallFloorNs = "call_floor_ns",
    /// Encoding one message inside the guest.
    EncodeNs = "encode_ns",
    /// Decoding one message inside the guest.
    DecodeNs = "decode_ns",
    // ... and in instructions under `instructions`.
    RtInstructions = "rt_instructions",
    CallFloorInstructions = "call_floor_instructions",
    EncodeInstructions = "encode_instructions",
    DecodeInstructions = "decode_instructions",
    /// The in-process reference op, timed beside the round trips: the machine's speed.
    RefNs = "ref_ns",
    /// The set-up repeated in the same process (`setup_warm_repeats` of them).
    SetupWarmNs = "setup_warm_ns",
    /// The same repeated set-ups in the process's CPU time.
    SetupWarmCpuNs = "setup_warm_cpu_ns",
    /// Instantiation as a distribution (`instantiations` per process): making one pair (its
    /// environment and instances, as the cell's `instantiate` says) ...
    InstantiatePairNs = "instantiate_pair_ns",
    /// ... and dropping it.
    TeardownNs = "teardown_ns",
    // The start-up phases, one sample per process (wall clock only).
    CompileNs = "compile_ns",
    LoadNs = "load_ns",
    EnvironmentNs = "environment_ns",
    InstantiateNs = "instantiate_ns",
    /// The pre-linked form of the pair, made once (`instantiate = pre`, `pooled`).
    PrepareNs = "prepare_ns",
    /// Wall-clock time per pair made and dropped by one thread, over `instantiations` pairs ...
    InstantiateSerialNs = "instantiate_serial_ns",
    /// ... and by `instantiate_threads` threads at once, each making as many.
    InstantiateParallelNs = "instantiate_parallel_ns",
    /// The fresh set-up: loading or compiling, the environment, instantiating.
    SetupNs = "setup_ns",
    /// The fresh set-up in CPU time: start of the process's work to its first round trip.
    SetupCpuNs = "setup_cpu_ns",
    FirstRoundTripNs = "first_round_trip_ns",
    /// A cold worker process: spawn to its first round trip.
    ColdStartNs = "cold_start_ns",
    /// The cold start's phases before the set-up: spawn to the worker's `main` ...
    ProcessStartNs = "process_start_ns",
    /// ... `main` to the start of its job's work (reading the job, pinning, capping memory) ...
    WorkerStartNs = "worker_start_ns",
    /// ... and creating the runtime's engine.
    EngineNs = "engine_ns",
    /// What no phase times: the cold start minus the process start, worker start, engine, fresh
    /// set-up and first round trip (the ready line's way to the runner, mostly).
    ColdStartUntimedNs = "cold_start_untimed_ns",
    // The process's context ([`Metric::CONTEXT`]), one sample per process.
    LoadavgStart = "loadavg_start",
    LoadavgEnd = "loadavg_end",
    PeakRssKib = "peak_rss_kib",
    InvoluntarySwitches = "involuntary_switches",
    CpuMigrations = "cpu_migrations",
    StealPct = "steal_pct",
    /// Whether the process ended `ok` (1) or not (0): what a resumed run reads to count it.
    Ok = "ok",
    /// How long the whole process took, spawn to exit: what a cell's time budget counts.
    ProcessS = "process_s",
    /// The resident-set peak right after the first set-up.
    RssAfterSetupKib = "rss_after_setup_kib",
    /// Each guest memory's size after the first set-up, in wasm pages.
    ProducerMemoryPages = "producer_memory_pages",
    ConsumerMemoryPages = "consumer_memory_pages",
    /// `instantiate = pooled`: what creating the engine added to the virtual size.
    ReservedKib = "reserved_kib",
    /// The resident set after the last batch of instantiations minus after the warm-up batch.
    InstantiateRssGrowthKib = "instantiate_rss_growth_kib",
}

impl Metric {
    /// The repeated measurements in both units: the round trip, the bare call and the codec.
    pub const REPEATED: [Metric; 8] = [
        Metric::RtNs,
        Metric::CallFloorNs,
        Metric::EncodeNs,
        Metric::DecodeNs,
        Metric::RtInstructions,
        Metric::CallFloorInstructions,
        Metric::EncodeInstructions,
        Metric::DecodeInstructions,
    ];

    /// The process's context: the load average around it, its peak memory, what the OS says about
    /// interference (involuntary context switches, CPU migrations of its measuring thread, the
    /// hypervisor's steal over its life, percent), whether it ended `ok`, how long it took, and the
    /// memory it held (after set-up, the guests' memories, a pool's reservation, what the
    /// instantiations added). They describe the machine and the process, not the code's speed.
    pub const CONTEXT: [Metric; 13] = [
        Metric::LoadavgStart,
        Metric::LoadavgEnd,
        Metric::PeakRssKib,
        Metric::InvoluntarySwitches,
        Metric::CpuMigrations,
        Metric::StealPct,
        Metric::Ok,
        Metric::ProcessS,
        Metric::RssAfterSetupKib,
        Metric::ProducerMemoryPages,
        Metric::ConsumerMemoryPages,
        Metric::ReservedKib,
        Metric::InstantiateRssGrowthKib,
    ];

    /// The metric the sidecar names `name`; `None` for a name this runner does not write.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The repeated measurements in `mechanism`'s unit: the round trip, the bare call, encode and
    /// decode.
    pub fn repeated(mechanism: MechanismKind) -> [Metric; 4] {
        let [rt, floor, encode, decode, rt_count, floor_count, encode_count, decode_count] = Metric::REPEATED;
        match mechanism {
            MechanismKind::WallClock => [rt, floor, encode, decode],
            MechanismKind::Instructions => [rt_count, floor_count, encode_count, decode_count],
        }
    }

    /// The round trip in `mechanism`'s unit: the headline metric.
    pub fn round_trip(mechanism: MechanismKind) -> Metric {
        Metric::repeated(mechanism)[0]
    }

    /// Whether the metric is the process's context ([`Metric::CONTEXT`]).
    pub fn is_context(self) -> bool {
        Metric::CONTEXT.contains(&self)
    }

    /// Whether the metric measures the code: a time or an instruction count (not context), for
    /// both of which more is worse.
    pub fn is_performance(self) -> bool {
        !self.is_context()
    }

    /// Whether the metric counts instructions (else it is a time, or context).
    pub fn is_count(self) -> bool {
        Metric::repeated(MechanismKind::Instructions).contains(&self)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set-up figure made of two sidecar metrics, and itself no sidecar name: per process, its
/// repeated set-ups, or where it made none (its first set-up took longer than
/// `setup_budget_ms`), its fresh one. What `setup_headline_ns` and `setup_cpu_headline_ns` are
/// made of, and what `runner calibrate` tables under [`Derived::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Derived {
    /// The set-up in wall-clock time: `setup_warm_ns`, else `setup_ns`.
    Setup,
    /// The set-up in the process's CPU time: `setup_warm_cpu_ns`, else `setup_cpu_ns` (schema 10).
    SetupCpu,
}

impl Derived {
    pub const ALL: [Derived; 2] = [Derived::Setup, Derived::SetupCpu];

    /// How `runner calibrate` names it.
    pub fn name(self) -> &'static str {
        match self {
            Derived::Setup => "setup (repeated, else fresh)",
            Derived::SetupCpu => "setup CPU time (repeated, else fresh)",
        }
    }

    /// The metrics it is made of: (the repeated set-ups, the fresh one).
    pub fn parts(self) -> (Metric, Metric) {
        match self {
            Derived::Setup => (Metric::SetupWarmNs, Metric::SetupNs),
            Derived::SetupCpu => (Metric::SetupWarmCpuNs, Metric::SetupCpuNs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_parses_back_from_its_name_once() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
            assert_eq!(Metric::ALL.iter().filter(|o| o.name() == m.name()).count(), 1);
            // The unit is in the name: a performance metric is a time or a count.
            let time_or_count = m.name().ends_with("_ns") || m.name().ends_with("_instructions");
            assert_eq!(m.is_performance(), time_or_count, "{m}");
            assert_eq!(m.is_count(), m.name().ends_with("_instructions"), "{m}");
        }
        assert_eq!(Metric::from_name("rt_nss"), None);
        for d in Derived::ALL {
            assert_eq!(Metric::from_name(d.name()), None, "a derived figure is no sidecar name");
        }
        let names = |ms: [Metric; 4]| ms.map(Metric::name);
        assert_eq!(
            names(Metric::repeated(MechanismKind::WallClock)),
            ["rt_ns", "call_floor_ns", "encode_ns", "decode_ns"]
        );
        assert_eq!(Metric::round_trip(MechanismKind::Instructions).name(), "rt_instructions");
    }
}
