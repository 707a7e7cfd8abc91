//! zkroll prover: parallel leaf proving and recursive aggregation of a batch into one plonky2 proof (in progress, see docs/architecture.md).
