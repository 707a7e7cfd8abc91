//! R1CS synthesis without the host's tracing subscriber.
//!
//! ark-r1cs-std instruments hundreds of gadget methods with `#[tracing::instrument(target =
//! "r1cs")]` at INFO level. A host that installs an INFO subscriber (what a rollup node does)
//! would then create and record a span for every gadget call of the wrap circuit's ~2 M
//! constraints: measured, a key setup that takes 2 min ran for over 15 min. Every synthesis of
//! this crate therefore runs under [`quiet`], which installs tracing's `NoSubscriber` as the
//! thread's default for the duration of the call (rayon workers that ark-groth16 spawns open no
//! spans). Our own coarse spans (shrink, wrap stages) are entered outside it.

/// Runs `f` with tracing disabled on this thread (see the module documentation).
pub fn quiet<T>(f: impl FnOnce() -> T) -> T {
    tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), f)
}

#[cfg(test)]
mod tests {
    use super::quiet;
    use ark_bn254::Fr;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::fields::FieldVar;
    use ark_relations::r1cs::ConstraintSystem;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// A subscriber that is interested in everything and counts the spans it is asked to create.
    struct Counting(Arc<AtomicUsize>);

    impl Subscriber for Counting {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(self.0.fetch_add(1, Ordering::SeqCst) as u64 + 1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    fn synthesize() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(3u64))).unwrap();
        for _ in 0..10 {
            x = x.square().unwrap() + FpVar::one();
        }
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn gadget_spans_reach_a_subscriber_unless_quiet() {
        let n = Arc::new(AtomicUsize::new(0));
        tracing::subscriber::with_default(Counting(n.clone()), synthesize);
        let loud = n.swap(0, Ordering::SeqCst);
        assert!(
            loud > 0,
            "ark-r1cs-std no longer opens spans: this module may go"
        );
        tracing::subscriber::with_default(Counting(n.clone()), || quiet(synthesize));
        assert_eq!(n.load(Ordering::SeqCst), 0, "spans created inside quiet()");
    }
}
