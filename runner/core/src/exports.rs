//! The guests' exports the harness calls, declared once for the workers that call them through a
//! runtime's typed functions (Wasmer's, Wasmtime's, wasmi's): their names and signatures, as
//! guests/producer and guests/consumer export them, and the calls of them that are the same under
//! every runtime. A worker invokes [`guest_exports!`](crate::guest_exports) with its typed
//! function, how it calls one and how it looks one up, and [`guest_calls!`](crate::guest_calls)
//! inside its [`GuestCalls`](crate::calls::GuestCalls) impl; both expand to the code the worker
//! would write by hand (each call a direct call of the runtime's typed function, `#[inline]` on the
//! hot path), so nothing is dynamic and nothing is added per call.

use crate::guests::Failure;
use std::fmt;

/// A guest lacks an export the harness calls: `who` lacks `export`, `why` in the runtime's words.
#[cold]
pub fn lacks(who: &str, export: &str, why: impl fmt::Display) -> Failure {
    Failure::Error(format!("{who} lacks an export the harness calls ({export}): {why:#}"))
}

/// Declares, in a worker, the guests' exports the harness calls, in the runtime's typed function
/// `$Func<Params, Results>`:
///
/// - `ProducerFns` and `ConsumerFns`, the tables of each guest's exports, with their constructor
///   `new`; and `RoundTrip`, the producer's `round_trip` (`call = import`), which
///   `ProducerFns::round_trip` looks up;
/// - `Consume`, the consumer's `consume` as the route calls it (wasmatrix-core's
///   [`transport::Consume`](crate::transport::Consume));
/// - `Allocate`, the export a guest allocates its buffer with under `copy` (the producer's
///   `reply_buffer`, the consumer's `request_buffer`; wasmatrix-core's
///   [`transport::Allocate`](crate::transport::Allocate)), with its constructor
///   `Allocate::new(.., role)`.
///
/// What the worker says: `func`, its typed function; `args`, how the runtime passes a call's
/// arguments (`tupled`: `f.call(store, (a, b))`, as Wasmtime and wasmi do; `spread`:
/// `f.call(store, a, b)`, as Wasmer does); `api`, its [`Access`](crate::transport::Access);
/// `failure`, what makes a call's error a [`Failure`]; and `lookup`, the parameters every
/// constructor takes and the expression that looks up the export called `name` in them, a
/// `Result` whose typed function's types are inferred from the table's field. For example:
///
/// ```ignore
/// wasmatrix_core::guest_exports! {
///     func: TypedFunc, args: tupled, api: Api, failure: failure,
///     lookup: fn<S>(store: &mut Store<S>, instance: &Instance) = |name| instance.get_typed_func(&mut *store, name),
/// }
/// ```
#[macro_export]
macro_rules! guest_exports {
    (
        func: $Func:ident, args: $args:ident, api: $Api:ty, failure: $failure:path,
        lookup: fn $(<$($g:ident),*>)? ($($arg:ident: $ty:ty),*) = |$name:ident| $lookup:expr $(,)?
    ) => {
        // The guest ABI: each export the harness calls, with its parameters and results.
        $crate::guest_exports! {
            @table $Func, [$($($g),*)?] ($($arg: $ty),*) |$name| $lookup,
            /// The producer's exports the harness calls (see guests/producer); its `reply_buffer`
            /// is the transport's ([`Allocate`]), its `round_trip` the call pattern's
            /// ([`RoundTrip`]).
            ProducerFns "producer" {
                produce: u32 => u64,
                check_reply: (u32, u32) => u32,
                checksum: () => u64,
                bench_encode: (u32, u32) => u32,
                error_message: () => u64,
            }
        }
        $crate::guest_exports! {
            @table $Func, [$($($g),*)?] ($($arg: $ty),*) |$name| $lookup,
            /// The consumer's exports the harness calls (see guests/consumer); its
            /// `request_buffer` is the transport's ([`Allocate`]).
            ConsumerFns "consumer" {
                consume: (u32, u32) => u64,
                ping: u32 => u32,
                bench_decode: (u32, u32, u32) => u32,
                error_message: () => u64,
            }
        }

        $crate::guest_exports! {
            @table $Func, [$($($g),*)?] ($($arg: $ty),*) |$name| $lookup,
            /// The merged module's adapter (transport `merged`, guests/merged/adapter.wat): its
            /// carries between the two memories and what it carried, exported under
            /// [`merged::ADAPTER`](crate::merged::ADAPTER).
            MergedFns "merged module" {
                to_consumer: (u32, u32) => u32,
                to_producer: (u32, u32) => u32,
                request_bytes: () => u64,
                reply_bytes: () => u64,
                copied_bytes: () => u64,
            }
        }

        $crate::guest_exports! {
            @table $Func, [$($($g),*)?] ($($arg: $ty),*) |$name| $lookup,
            /// A merged chain's adapter besides [`MergedFns`]: which relay (from 1) could not read
            /// the request it trapped on, 0 if none (exported under
            /// [`merged::ADAPTER`](crate::merged::ADAPTER)).
            MergedChainFns "merged module" {
                refused_by: () => u32,
            }
        }

        $crate::guest_exports! {
            @table $Func, [$($($g),*)?] ($($arg: $ty),*) |$name| $lookup,
            /// A relay's own exports (a chain of modules; guests/consumer, feature `relay`): what
            /// the chain calls ([`Pass`](crate::transport::Pass)).
            RelayFns "relay" {
                relay: (u32, u32) => u64,
                relay_digest: () => u64,
            }
        }

        impl $crate::transport::Pass<$Api> for RelayFns {
            #[inline]
            fn pass<D: 'static>(
                &self,
                ctx: &mut <$Api as $crate::transport::Access>::Ctx<'_, D>,
                request: $crate::abi::Bytes,
            ) -> ::core::result::Result<u64, $crate::guests::Failure> {
                $crate::guest_exports!(@call $args, self.relay, ctx, request.ptr, request.len).map_err($failure)
            }

            fn digest<D: 'static>(
                &self,
                ctx: &mut <$Api as $crate::transport::Access>::Ctx<'_, D>,
            ) -> ::core::result::Result<u64, $crate::guests::Failure> {
                $crate::guest_exports!(@call $args, self.relay_digest, ctx).map_err($failure)
            }
        }

        /// The producer's `round_trip(i) -> 0 | 1 | 2` (`call = import`), which only a producer
        /// built with the feature `call-import` exports.
        pub type RoundTrip = $Func<u32, u32>;

        impl ProducerFns {
            /// Looks up the producer's [`RoundTrip`].
            pub fn round_trip $(<$($g),*>)? ($($arg: $ty),*)
                -> ::core::result::Result<RoundTrip, $crate::guests::Failure>
            {
                let $name = "round_trip";
                let hint = "built without the feature call-import?";
                ($lookup).map_err(|e| $crate::exports::lacks("producer", $name, format_args!("{hint} {e:#}")))
            }
        }

        /// The consumer's `consume`, as the route calls it.
        pub struct Consume(pub $Func<(u32, u32), u64>);

        impl $crate::transport::Consume<$Api> for Consume {
            #[inline]
            fn consume<D: 'static>(
                &self,
                ctx: &mut <$Api as $crate::transport::Access>::Ctx<'_, D>,
                request: $crate::abi::Bytes,
            ) -> ::core::result::Result<u64, $crate::guests::Failure> {
                $crate::guest_exports!(@call $args, self.0, ctx, request.ptr, request.len).map_err($failure)
            }
        }

        /// A guest's export that allocates a buffer of `len` bytes to receive messages in under
        /// `copy`, as the transport calls it.
        #[derive(Clone)]
        pub struct Allocate(pub $Func<u32, u32>);

        impl Allocate {
            /// The producer's `reply_buffer(len) -> ptr`, or the consumer's `request_buffer`.
            pub fn new $(<$($g),*>)? ($($arg: $ty,)* role: $crate::abi::Role)
                -> ::core::result::Result<Self, $crate::guests::Failure>
            {
                let $name = match role {
                    $crate::abi::Role::Producer => "reply_buffer",
                    $crate::abi::Role::Consumer => "request_buffer",
                };
                Ok(Allocate(($lookup).map_err(|e| $crate::exports::lacks(role.name(), $name, e))?))
            }
        }

        impl $crate::transport::Allocate<$Api> for Allocate {
            #[inline]
            fn allocate<D: 'static>(
                &self,
                ctx: &mut <$Api as $crate::transport::Access>::Ctx<'_, D>,
                len: u32,
            ) -> ::core::result::Result<u32, $crate::guests::Failure> {
                $crate::guest_exports!(@call $args, self.0, ctx, len).map_err($failure)
            }
        }
    };

    // One guest's table: a field per export, and `new`, which looks each one up (returning the
    // first that is missing).
    (
        @table $Func:ident, [$($g:ident),*] ($($arg:ident: $ty:ty),*) |$name:ident| $lookup:expr,
        $(#[$doc:meta])* $Table:ident $who:literal { $($export:ident: $params:ty => $results:ty),* $(,)? }
    ) => {
        $(#[$doc])*
        pub struct $Table {
            $(pub $export: $Func<$params, $results>,)*
        }

        impl $Table {
            pub fn new<$($g),*>($($arg: $ty),*) -> ::core::result::Result<Self, $crate::guests::Failure> {
                Self::named("", $($arg),*)
            }

            /// The exports named `prefix` then the export's name (the merged module's consumer and
            /// adapter exports, see [`merged`](crate::merged)); no name is made when `prefix` is
            /// empty.
            pub fn named<$($g),*>(prefix: &str, $($arg: $ty),*) -> ::core::result::Result<Self, $crate::guests::Failure> {
                Ok($Table {
                    $($export: {
                        let full;
                        let $name = if prefix.is_empty() {
                            stringify!($export)
                        } else {
                            full = format!("{prefix}{}", stringify!($export));
                            full.as_str()
                        };
                        ($lookup).map_err(|e| $crate::exports::lacks($who, $name, e))?
                    },)*
                })
            }
        }
    };

    // A call of the typed function `f` in `store`, its arguments passed as the runtime takes them.
    (@call tupled, $f:expr, $store:expr $(, $arg:expr)*) => {
        $f.call($store, ($($arg),*))
    };
    (@call spread, $f:expr, $store:expr $(, $arg:expr)*) => {
        $f.call($store $(, $arg)*)
    };
}

/// The methods of [`GuestCalls`](crate::calls::GuestCalls) that are the same under every runtime
/// that calls the guests through typed functions, for a worker to invoke inside its impl (which
/// adds `output`): the calls of one export each (`#[inline]` on the round trip's and the ping's
/// path, as a worker's own would be), what the route carried and copied, and what a guest says;
/// with `round_trip: held`, also `round_trip`, for a worker that holds the producer's
/// `round_trip` as it was found (`call = import`) or not (`host`).
///
/// They expect of the worker's type: the fields `store` (what a call takes), `producer` and
/// `consumer` (the tables of [`guest_exports!`](crate::guest_exports)) and, with `round_trip:
/// held`, `round_trip: Option<..>`; and a method `route(&self) -> Option<&Router<T, Consume>>`
/// (where the route is, if it is not out on a request), `T` a transport with
/// [`Memories`](crate::transport::Memories). Of its invocation: `args` and `failure` as for
/// [`guest_exports!`](crate::guest_exports), and `read_text(store, memory, packed)`, which reads a
/// guest's packed message.
#[macro_export]
macro_rules! guest_calls {
    (args: $args:ident, failure: $failure:path, read_text: $read_text:path, round_trip: held $(,)?) => {
        $crate::guest_calls!(args: $args, failure: $failure, read_text: $read_text);

        #[inline]
        fn round_trip(&mut self, i: u32) -> ::core::result::Result<u32, $crate::guests::Failure> {
            let why = "call = host: the host runs the round trip, not the producer's round_trip";
            let round_trip = self.round_trip.as_ref().ok_or_else(|| $crate::guests::Failure::Error(why.into()))?;
            $crate::guest_exports!(@call $args, round_trip, &mut self.store, i).map_err($failure)
        }
    };

    (args: $args:ident, failure: $failure:path, read_text: $read_text:path $(,)?) => {
        $crate::guest_calls!(@exports args: $args, failure: $failure);

        fn delivered(&self) -> $crate::guests::Traffic {
            self.route().map(|route| route.delivered()).unwrap_or_default()
        }

        fn copied_bytes(&self) -> u64 {
            self.route().map_or(0, |route| route.transport.copied_bytes())
        }

        fn says(&mut self, role: $crate::abi::Role) -> ::core::result::Result<String, $crate::guests::Failure> {
            let packed = $crate::guest_calls!(@error_message $args, $failure, self, role)?;
            Ok(match self.route() {
                Some(route) => $read_text(&self.store, route.transport.memory(role), packed),
                None => "(unreadable message: the route is out)".into(),
            })
        }
    };

    // A guest's `error_message`: the packed message in its memory.
    (@error_message $args:ident, $failure:path, $self:ident, $role:expr) => {{
        let error_message = match $role {
            $crate::abi::Role::Producer => &$self.producer.error_message,
            $crate::abi::Role::Consumer => &$self.consumer.error_message,
        };
        $crate::guest_exports!(@call $args, error_message, &mut $self.store).map_err($failure)
    }};

    // The calls of one export each: the same under every transport.
    (@exports args: $args:ident, failure: $failure:path) => {
        #[inline]
        fn produce(&mut self, i: u32) -> ::core::result::Result<u64, $crate::guests::Failure> {
            $crate::guest_exports!(@call $args, self.producer.produce, &mut self.store, i).map_err($failure)
        }

        #[inline]
        fn check_reply(&mut self, reply: $crate::abi::Bytes) -> ::core::result::Result<u32, $crate::guests::Failure> {
            let check_reply = &self.producer.check_reply;
            $crate::guest_exports!(@call $args, check_reply, &mut self.store, reply.ptr, reply.len).map_err($failure)
        }

        fn checksum(&mut self) -> ::core::result::Result<u64, $crate::guests::Failure> {
            $crate::guest_exports!(@call $args, self.producer.checksum, &mut self.store).map_err($failure)
        }

        fn bench_encode(&mut self, i: u32, n: u32) -> ::core::result::Result<u32, $crate::guests::Failure> {
            $crate::guest_exports!(@call $args, self.producer.bench_encode, &mut self.store, i, n).map_err($failure)
        }

        #[inline]
        fn ping(&mut self, x: u32) -> ::core::result::Result<u32, $crate::guests::Failure> {
            $crate::guest_exports!(@call $args, self.consumer.ping, &mut self.store, x).map_err($failure)
        }

        fn bench_decode(
            &mut self,
            request: $crate::abi::Bytes,
            n: u32,
        ) -> ::core::result::Result<u32, $crate::guests::Failure> {
            let bench_decode = &self.consumer.bench_decode;
            $crate::guest_exports!(@call $args, bench_decode, &mut self.store, request.ptr, request.len, n)
                .map_err($failure)
        }
    };
}
