//! How a message crosses between the guests (the `transport` axis, between core modules), and the
//! [`Router`] the middle of every round trip runs over: written once, over any runtime.
//!
//! - [`CopyLink`] (`copy`): each guest has its own memory. The host copies a message out of the
//!   sender's memory into a buffer the receiver allocated, which it asks to grow only for a larger
//!   message.
//! - [`SharedLink`] (`shared`): one memory both guests import, laid out so that they never overlap
//!   ([`crate::abi::check_shared_layout`]): only (pointer, length) crosses the host.
//!
//! A runtime says how its host reaches the guests ([`Access`]: its store context, made from the
//! store or, inside a host function, from its caller), how it copies out of a guest's memory
//! ([`Memory`]) and calls the export a `copy` guest allocates its buffer with ([`Allocate`]), and
//! how it calls the consumer's `consume` ([`Consume`]); it links the guests with its own API
//! ([`Linked`]). Everything here is generic over them, so each runtime's, transport's and call
//! pattern's carries are compiled on their own, with nothing dynamic inside.

use crate::abi::{Bytes, Role};
use crate::calls::{self, Route};
use crate::guests::{Failure, Traffic};

/// How one runtime's host reaches the guests (implemented by a type that stands for the runtime).
pub trait Access {
    /// Its store context over store data `D`: what the host reads and writes guest memories and
    /// calls guest functions through, the same whether made from the store or from a caller.
    type Ctx<'a, D: 'static>;
}

/// A transport's carries, in runtime `A`'s store context.
pub trait Carry<A: Access> {
    /// Makes the producer's request readable by the consumer; returns where it now is.
    fn to_consumer<D: 'static>(&mut self, ctx: &mut A::Ctx<'_, D>, request: Bytes) -> Result<Bytes, Failure>;

    /// Makes the consumer's reply readable by the producer; returns where it now is.
    fn to_producer<D: 'static>(&mut self, ctx: &mut A::Ctx<'_, D>, reply: Bytes) -> Result<Bytes, Failure>;

    /// Bytes copied between guest memories so far.
    fn copied_bytes(&self) -> u64;

    /// Checks what the transport's own guests kept, outside any timed region (a [`Chain`]'s
    /// relays all read the same records); nothing for a pair.
    fn settle<D: 'static>(&mut self, _: &mut A::Ctx<'_, D>) -> Result<(), Failure> {
        Ok(())
    }
}

/// A guest's export that allocates a buffer to receive messages in under `copy` (the consumer's
/// `request_buffer`, the producer's `reply_buffer`), as runtime `A` calls it.
pub trait Allocate<A: Access> {
    /// A buffer of `len` bytes; returns where it is.
    fn allocate<D: 'static>(&self, ctx: &mut A::Ctx<'_, D>, len: u32) -> Result<u32, Failure>;
}

/// A guest's memory under `copy`, as runtime `A` copies out of it.
pub trait Memory<A: Access> {
    /// Copies `bytes` of this memory into `to` at `at`, checking both ranges; `scratch` is a host
    /// buffer (reused) for a runtime that cannot copy from one memory into another directly.
    fn copy_to<D: 'static>(
        &self,
        ctx: &mut A::Ctx<'_, D>,
        bytes: Bytes,
        to: &Self,
        at: u32,
        scratch: &mut Vec<u8>,
    ) -> Result<(), Failure>;
}

/// One guest under `copy`, as a runtime holds it: its memory `M` and its export `F` that allocates
/// its buffer.
#[derive(Clone)]
pub struct Guest<M, F> {
    pub memory: M,
    pub allocate: F,
}

/// Both guests instantiated (`I`, a runtime's instance) and linked by transport `T`.
pub struct Linked<I, T> {
    pub producer: I,
    pub consumer: I,
    pub transport: T,
}

/// Where a transport keeps each guest's messages: the memory a guest's own error message is read
/// from.
pub trait Memories {
    type Memory;
    fn memory(&self, role: Role) -> &Self::Memory;
}

/// `copy`: each guest its own memory, and a buffer in it that receives messages.
pub struct CopyLink<M, F> {
    producer: Guest<M, F>,
    consumer: Guest<M, F>,
    /// The receivers' buffers: (address, capacity).
    request_buffer: Bytes,
    reply_buffer: Bytes,
    /// Host staging buffer, reused (see [`Memory::copy_to`]).
    scratch: Vec<u8>,
    copied: u64,
}

impl<M, F> CopyLink<M, F> {
    pub fn new(producer: Guest<M, F>, consumer: Guest<M, F>) -> CopyLink<M, F> {
        CopyLink {
            producer,
            consumer,
            request_buffer: Bytes::default(),
            reply_buffer: Bytes::default(),
            scratch: Vec::new(),
            copied: 0,
        }
    }

    /// Copies `bytes` from the other guest into `to`'s buffer, which `to` allocates anew if it is
    /// too small.
    #[inline]
    fn carry<A: Access, D: 'static>(
        &mut self,
        ctx: &mut A::Ctx<'_, D>,
        bytes: Bytes,
        to: Role,
    ) -> Result<Bytes, Failure>
    where
        M: Memory<A>,
        F: Allocate<A>,
    {
        let (from, into, buffer) = match to {
            Role::Consumer => (&self.producer, &self.consumer, &mut self.request_buffer),
            Role::Producer => (&self.consumer, &self.producer, &mut self.reply_buffer),
        };
        if buffer.len < bytes.len {
            *buffer = Bytes { ptr: into.allocate.allocate(ctx, bytes.len)?, len: bytes.len };
        }
        from.memory.copy_to(ctx, bytes, &into.memory, buffer.ptr, &mut self.scratch)?;
        self.copied += u64::from(bytes.len);
        Ok(Bytes { ptr: buffer.ptr, len: bytes.len })
    }
}

impl<M, F> Memories for CopyLink<M, F> {
    type Memory = M;

    fn memory(&self, role: Role) -> &M {
        match role {
            Role::Producer => &self.producer.memory,
            Role::Consumer => &self.consumer.memory,
        }
    }
}

impl<A: Access, M: Memory<A>, F: Allocate<A>> Carry<A> for CopyLink<M, F> {
    #[inline]
    fn to_consumer<D: 'static>(&mut self, ctx: &mut A::Ctx<'_, D>, request: Bytes) -> Result<Bytes, Failure> {
        self.carry::<A, D>(ctx, request, Role::Consumer)
    }

    #[inline]
    fn to_producer<D: 'static>(&mut self, ctx: &mut A::Ctx<'_, D>, reply: Bytes) -> Result<Bytes, Failure> {
        self.carry::<A, D>(ctx, reply, Role::Producer)
    }

    fn copied_bytes(&self) -> u64 {
        self.copied
    }
}

/// `shared`: the one memory both guests import; a message stays where its sender wrote it.
#[derive(Clone)]
pub struct SharedLink<M> {
    pub memory: M,
}

impl<M> Memories for SharedLink<M> {
    type Memory = M;

    fn memory(&self, _: Role) -> &M {
        &self.memory
    }
}

impl<A: Access, M> Carry<A> for SharedLink<M> {
    #[inline]
    fn to_consumer<D: 'static>(&mut self, _: &mut A::Ctx<'_, D>, request: Bytes) -> Result<Bytes, Failure> {
        Ok(request)
    }

    #[inline]
    fn to_producer<D: 'static>(&mut self, _: &mut A::Ctx<'_, D>, reply: Bytes) -> Result<Bytes, Failure> {
        Ok(reply)
    }

    fn copied_bytes(&self) -> u64 {
        0
    }
}

/// A relay's exports (guests/consumer, feature `relay`), as runtime `A` calls them.
pub trait Pass<A: Access> {
    /// Has the relay read `request` (in its memory, or the shared one); returns the packed range
    /// it forwards, 0 if it could not read the request.
    fn pass<D: 'static>(&self, ctx: &mut A::Ctx<'_, D>, request: Bytes) -> Result<u64, Failure>;

    /// The fold of every record the relay read so far (its `relay_digest`).
    fn digest<D: 'static>(&self, ctx: &mut A::Ctx<'_, D>) -> Result<u64, Failure>;
}

/// A chain of modules (the `modules` axis): the producer, relays, the consumer. A request goes hop
/// by hop, each hop a transport `T` between two neighbours (under `copy` a copy into the next
/// guest's buffer, under `shared` nothing), each relay reading it on its way ([`Pass`]); the reply
/// goes from the consumer straight back to the producer (`ends`).
pub struct Chain<T, P> {
    /// The producer and the consumer: the reply's way back, and the memories their messages are
    /// read from.
    ends: T,
    /// Hop `h` carries from guest `h` to guest `h + 1` of the producer, the relays, the consumer.
    hops: Vec<T>,
    relays: Vec<P>,
}

impl<T, P> Chain<T, P> {
    /// A chain of `relays`, hop `h` of `hops` leading to relay `h` (the last hop to the consumer).
    pub fn new(ends: T, hops: Vec<T>, relays: Vec<P>) -> Result<Chain<T, P>, Failure> {
        if relays.is_empty() || hops.len() != relays.len() + 1 {
            let (hops, relays) = (hops.len(), relays.len());
            return Err(Failure::Error(format!("a chain of {relays} relays cannot have {hops} hops")));
        }
        Ok(Chain { ends, hops, relays })
    }
}

impl<M: Clone, F: Clone, P> Chain<CopyLink<M, F>, P> {
    /// `copy` hop by hop through `guests`, the producer first and the consumer last (a relay
    /// receives into the buffer its own export allocates; a sender's is never asked for on a hop),
    /// `relays` the relays' exports in the same order.
    pub fn copy(guests: &[Guest<M, F>], relays: Vec<P>) -> Result<Self, Failure> {
        let (Some(producer), Some(consumer)) = (guests.first(), guests.last()) else {
            return Err(Failure::Error("a chain of no guests".into()));
        };
        let hops = guests.windows(2).map(|pair| CopyLink::new(pair[0].clone(), pair[1].clone())).collect();
        Chain::new(CopyLink::new(producer.clone(), consumer.clone()), hops, relays)
    }
}

impl<M: Clone, P> Chain<SharedLink<M>, P> {
    /// `shared` through `relays`: every hop the one memory, where nothing moves.
    pub fn shared(link: SharedLink<M>, relays: Vec<P>) -> Result<Self, Failure> {
        let hops = (0..=relays.len()).map(|_| link.clone()).collect();
        Chain::new(link, hops, relays)
    }
}

impl<T: Memories, P> Memories for Chain<T, P> {
    type Memory = T::Memory;

    fn memory(&self, role: Role) -> &T::Memory {
        self.ends.memory(role)
    }
}

impl<A: Access, T: Carry<A>, P: Pass<A>> Carry<A> for Chain<T, P> {
    #[inline]
    fn to_consumer<D: 'static>(&mut self, ctx: &mut A::Ctx<'_, D>, request: Bytes) -> Result<Bytes, Failure> {
        let mut at = request;
        for (j, (hop, relay)) in self.hops.iter_mut().zip(&self.relays).enumerate() {
            at = hop.to_consumer(ctx, at)?;
            at = Bytes::unpack(relay.pass(ctx, at)?).ok_or_else(|| Failure::relay_refused(j + 1))?;
        }
        // `new` made one hop more than relays
        self.hops.last_mut().unwrap_or_else(|| unreachable!()).to_consumer(ctx, at)
    }

    #[inline]
    fn to_producer<D: 'static>(&mut self, ctx: &mut A::Ctx<'_, D>, reply: Bytes) -> Result<Bytes, Failure> {
        self.ends.to_producer(ctx, reply)
    }

    fn copied_bytes(&self) -> u64 {
        self.ends.copied_bytes() + self.hops.iter().map(Carry::copied_bytes).sum::<u64>()
    }

    /// Every relay read the same records: their digests agree.
    fn settle<D: 'static>(&mut self, ctx: &mut A::Ctx<'_, D>) -> Result<(), Failure> {
        let first = self.relays[0].digest(ctx)?;
        for (j, relay) in self.relays.iter().enumerate().skip(1) {
            let digest = relay.digest(ctx)?;
            if digest != first {
                return Err(Failure::relay_disagrees(j + 1, digest, first));
            }
        }
        Ok(())
    }
}

/// The consumer's `consume` export, as runtime `A` calls it: the packed reply, 0 if it refused the
/// request.
pub trait Consume<A: Access> {
    fn consume<D: 'static>(&self, ctx: &mut A::Ctx<'_, D>, request: Bytes) -> Result<u64, Failure>;
}

/// What the middle of a round trip runs over: the transport `T` that links the guests and the
/// consumer's `consume` `K`. Under `call = host` the worker holds it and carries with it; under
/// `import` the producer's `env.deliver` import does, and [`Deliver`]s through it.
pub struct Router<T, K> {
    pub transport: T,
    consume: K,
    /// What `env.deliver` carried so far.
    delivered: Traffic,
}

impl<T, K> Router<T, K> {
    pub fn new(transport: T, consume: K) -> Router<T, K> {
        Router { transport, consume, delivered: Traffic::default() }
    }

    /// What it delivered for `env.deliver` so far.
    pub fn delivered(&self) -> Traffic {
        self.delivered
    }
}

/// The producer's `env.deliver(ptr, len)` import (`call = import`), in runtime `A`'s store context.
pub trait Deliver<A: Access> {
    /// Carries `request` (in the producer's memory) to the consumer, has it answered and carries
    /// the reply back; returns the packed reply as the producer reads it, 0 if the consumer refused
    /// the request.
    fn deliver<D: 'static>(&mut self, ctx: A::Ctx<'_, D>, request: Bytes) -> Result<u64, Failure>;
}

impl<A: Access, T: Carry<A>, K: Consume<A>> Deliver<A> for Router<T, K> {
    #[inline]
    fn deliver<D: 'static>(&mut self, ctx: A::Ctx<'_, D>, request: Bytes) -> Result<u64, Failure> {
        let Router { transport, consume, delivered } = self;
        calls::deliver(&mut Routing::<A, D, T, K> { ctx, transport, consume }, request, delivered)
    }
}

/// A router in use, in a store context: the middle of a round trip ([`calls::deliver`]).
struct Routing<'r, 'c, A: Access, D: 'static, T, K> {
    ctx: A::Ctx<'c, D>,
    transport: &'r mut T,
    consume: &'r K,
}

impl<A: Access, D: 'static, T: Carry<A>, K: Consume<A>> Route for Routing<'_, '_, A, D, T, K> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        self.transport.to_consumer(&mut self.ctx, request)
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.consume.consume(&mut self.ctx, request)
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.transport.to_producer(&mut self.ctx, reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two guest memories in plain vectors, reached without a store.
    enum Plain {}

    #[derive(Default)]
    struct Memories {
        bytes: [Vec<u8>; 2],
        allocations: Vec<u32>,
    }

    impl Access for Plain {
        type Ctx<'a, D: 'static> = Memories;
    }

    /// A guest's memory: which of the two.
    #[derive(Clone)]
    struct Mem(usize);

    impl Memory<Plain> for Mem {
        fn copy_to<D: 'static>(
            &self,
            m: &mut Memories,
            bytes: Bytes,
            to: &Mem,
            at: u32,
            scratch: &mut Vec<u8>,
        ) -> Result<(), Failure> {
            let range = |b: Bytes| b.ptr as usize..(b.ptr + b.len) as usize;
            scratch.clear();
            scratch.extend_from_slice(m.bytes[self.0].get(range(bytes)).ok_or(Failure::Error("outside".into()))?);
            m.bytes[to.0][range(Bytes { ptr: at, len: bytes.len })].copy_from_slice(scratch);
            Ok(())
        }
    }

    /// A guest's allocator: it puts each buffer 100 bytes after the last.
    #[derive(Clone)]
    struct Alloc;

    impl Allocate<Plain> for Alloc {
        fn allocate<D: 'static>(&self, m: &mut Memories, len: u32) -> Result<u32, Failure> {
            m.allocations.push(len);
            Ok(100 * m.allocations.len() as u32)
        }
    }

    /// The guests, in memories 0 and 1.
    fn guests() -> (Guest<Mem, Alloc>, Guest<Mem, Alloc>) {
        (Guest { memory: Mem(0), allocate: Alloc }, Guest { memory: Mem(1), allocate: Alloc })
    }

    /// Answers every request with its own bytes, refusing an empty one.
    struct Echo;

    impl Consume<Plain> for Echo {
        fn consume<D: 'static>(&self, _: &mut Memories, request: Bytes) -> Result<u64, Failure> {
            Ok(if request.len == 0 { 0 } else { request.pack() })
        }
    }

    fn memories() -> Memories {
        let mut m = Memories { bytes: [vec![0; 1000], vec![0; 1000]], allocations: Vec::new() };
        m.bytes[0][..5].copy_from_slice(b"hello");
        m
    }

    #[test]
    fn copy_carries_into_the_receivers_buffer_and_grows_it_only_for_a_larger_message() {
        let mut m = memories();
        let (producer, consumer) = guests();
        let mut link = CopyLink::new(producer, consumer);
        let to = Carry::<Plain>::to_consumer::<()>(&mut link, &mut m, Bytes { ptr: 0, len: 5 }).unwrap();
        assert_eq!((to, &m.bytes[1][100..105]), (Bytes { ptr: 100, len: 5 }, &b"hello"[..]));
        Carry::<Plain>::to_consumer::<()>(&mut link, &mut m, Bytes { ptr: 1, len: 3 }).unwrap();
        assert_eq!(m.allocations, [5], "a smaller message reuses the buffer");
        Carry::<Plain>::to_consumer::<()>(&mut link, &mut m, Bytes { ptr: 0, len: 6 }).unwrap();
        assert_eq!(m.allocations, [5, 6]);
        assert_eq!(Carry::<Plain>::copied_bytes(&link), 5 + 3 + 6);
        let back = Carry::<Plain>::to_producer::<()>(&mut link, &mut m, Bytes { ptr: 200, len: 2 }).unwrap();
        assert_eq!(back, Bytes { ptr: 300, len: 2 }, "the producer's own buffer");
        assert!(Carry::<Plain>::to_producer::<()>(&mut link, &mut m, Bytes { ptr: 999, len: 9 }).is_err());
    }

    #[test]
    fn shared_leaves_a_message_where_it_is() {
        let mut link = SharedLink { memory: () };
        let at = Bytes { ptr: 7, len: 3 };
        assert_eq!(Carry::<Plain>::to_consumer::<()>(&mut link, &mut memories(), at).unwrap(), at);
        assert_eq!(Carry::<Plain>::copied_bytes(&link), 0);
    }

    /// A relay that reads whatever it is handed where it is, counting what it read; relay `None`
    /// refuses everything.
    struct Reader(Option<std::cell::Cell<u64>>);

    impl Pass<Plain> for Reader {
        fn pass<D: 'static>(&self, _: &mut Memories, request: Bytes) -> Result<u64, Failure> {
            let Some(read) = &self.0 else { return Ok(0) };
            read.set(read.get() + u64::from(request.len));
            Ok(request.pack())
        }

        fn digest<D: 'static>(&self, _: &mut Memories) -> Result<u64, Failure> {
            Ok(self.0.as_ref().map_or(0, |read| read.get()))
        }
    }

    #[test]
    fn a_chain_carries_hop_by_hop_through_each_relay_and_the_reply_straight_back() {
        let mut m = memories();
        let link = |from, to| {
            CopyLink::new(Guest { memory: Mem(from), allocate: Alloc }, Guest { memory: Mem(to), allocate: Alloc })
        };
        let reader = || Reader(Some(std::cell::Cell::new(0)));
        // Producer in memory 0, one relay in memory 1, the consumer in memory 0 again (two vectors
        // are enough to follow the copies).
        let guest = |memory| Guest { memory: Mem(memory), allocate: Alloc };
        let mut chain = Chain::copy(&[guest(0), guest(1), guest(0)], vec![reader()]).unwrap();
        let at = Carry::<Plain>::to_consumer::<()>(&mut chain, &mut m, Bytes { ptr: 0, len: 5 }).unwrap();
        assert_eq!(m.allocations, [5, 5], "the relay's buffer, then the consumer's");
        assert_eq!(&m.bytes[0][at.ptr as usize..][..5], b"hello");
        Carry::<Plain>::to_producer::<()>(&mut chain, &mut m, Bytes { ptr: 0, len: 2 }).unwrap();
        assert_eq!(Carry::<Plain>::copied_bytes(&chain), 5 + 5 + 2, "two hops and the way back");
        assert!(Carry::<Plain>::settle::<()>(&mut chain, &mut m).is_ok());
        let mut refusing = Chain::new(link(0, 1), vec![link(0, 1), link(1, 0)], vec![Reader(None)]).unwrap();
        let Err(Failure::Error(e)) = Carry::<Plain>::to_consumer::<()>(&mut refusing, &mut m, Bytes { ptr: 0, len: 5 })
        else {
            panic!("the relay refused")
        };
        assert!(e.starts_with("relay 1 could not read the request"), "{e}");
        let mut two =
            Chain::new(link(0, 1), vec![link(0, 1), link(1, 0), link(0, 1)], vec![reader(), Reader(None)]).unwrap();
        let e = Carry::<Plain>::to_consumer::<()>(&mut two, &mut m, Bytes { ptr: 0, len: 5 }).unwrap_err();
        assert!(e.to_string().starts_with("relay 2 could not"), "{e}");
        let e = Carry::<Plain>::settle::<()>(&mut two, &mut m).unwrap_err().to_string();
        assert!(e.starts_with("relay 2 read other records than relay 1"), "{e}");
        assert!(Chain::new(link(0, 1), vec![link(0, 1)], vec![reader()]).is_err(), "one hop more than relays");
    }

    #[test]
    fn a_router_delivers_through_its_transport_and_counts_what_it_carried() {
        let (producer, consumer) = guests();
        let mut router = Router::new(CopyLink::new(producer, consumer), Echo);
        let reply = Deliver::<Plain>::deliver::<()>(&mut router, memories(), Bytes { ptr: 0, len: 5 }).unwrap();
        // The consumer echoed its buffer (100, 5); the reply was carried into the producer's (200).
        assert_eq!(Bytes::unpack(reply), Some(Bytes { ptr: 200, len: 5 }));
        assert_eq!(Deliver::<Plain>::deliver::<()>(&mut router, memories(), Bytes { ptr: 0, len: 0 }).unwrap(), 0);
        let delivered = router.delivered();
        assert_eq!((delivered.request_bytes, delivered.reply_bytes), (5, 5));
    }
}
