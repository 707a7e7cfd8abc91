//! Deployment policy for Groth16 keys: a development key (seeded setup, forgeable by anyone)
//! is used only when asked for explicitly (`--dev-setup`, [`super::KeySource::DevSetup`]) and
//! only on a local devnet; a deployment can be pinned to a vk hash.

use thiserror::Error;

/// Chain ids of local devnets (anvil/hardhat 31337, geth --dev and ganache 1337): the only
/// chains a development key may be deployed to.
pub const DEV_CHAIN_IDS: [u64; 2] = [31337, 1337];

/// What the policy refuses.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PolicyError {
    /// The key is a development key and `--dev-setup` was not given.
    #[error(
        "the Groth16 key of circuit `{circuit_id}` is a development key (seeded setup): anyone \
         can recompute its trapdoor and forge proofs for it. Install a ceremony key (`zkroll \
         setup`, docs/ceremony.md), or pass --dev-setup to use it on a local devnet (chain id \
         31337 or 1337)"
    )]
    DevKeyNotAllowed {
        /// The wrap circuit.
        circuit_id: String,
    },
    /// `--dev-setup` for a chain that is not a local devnet.
    #[error(
        "--dev-setup is refused for chain id {chain_id}: development keys are forgeable and \
         allowed only on local devnets (chain ids 31337, 1337); install a ceremony key instead"
    )]
    DevSetupOnPublicChain {
        /// The target chain.
        chain_id: u64,
    },
    /// `--dev-setup` needs to know the chain it deploys to.
    #[error("--dev-setup needs the target chain id (--chain-id 31337 or 1337)")]
    DevSetupNeedsChainId,
    /// The key's vk hash is not the pinned one.
    #[error("vk hash pin: expected 0x{expected}, {what} has 0x{actual}")]
    VkHashPin {
        /// The pinned hash (hex).
        expected: String,
        /// What was checked ("the key", "the proof", "the deployed verifier").
        what: String,
        /// Its hash (hex).
        actual: String,
    },
}

/// The loud warning printed whenever a development key is used for a deployment.
pub const DEV_KEY_WARNING: &str = "\
WARNING: --dev-setup: this deployment uses a DEVELOPMENT Groth16 key from the seeded setup.
WARNING: its trapdoor is derived from a public seed: ANYONE CAN FORGE PROOFS for it and take
WARNING: every coin the rollup holds. Local devnets and tests only; never hold value with it.";

/// Refuses `--dev-setup` for a chain that is not a local devnet ([`DEV_CHAIN_IDS`]).
pub fn check_dev_chain(chain_id: Option<u64>) -> Result<(), PolicyError> {
    match chain_id {
        None => Err(PolicyError::DevSetupNeedsChainId),
        Some(id) if DEV_CHAIN_IDS.contains(&id) => Ok(()),
        Some(id) => Err(PolicyError::DevSetupOnPublicChain { chain_id: id }),
    }
}

/// May a key be deployed (or its verifier exported)? A development key (`is_dev`) only with
/// `allow_dev` and only to a local devnet; any other key anywhere.
pub fn check_deployable(
    circuit_id: &str,
    is_dev: bool,
    allow_dev: bool,
    chain_id: Option<u64>,
) -> Result<(), PolicyError> {
    if allow_dev {
        check_dev_chain(chain_id)?;
    }
    if is_dev && !allow_dev {
        return Err(PolicyError::DevKeyNotAllowed {
            circuit_id: circuit_id.to_owned(),
        });
    }
    Ok(())
}

/// Parses a vk hash given on the command line (`0x` + 64 hex digits, or 64 hex digits).
pub fn parse_vk_hash(s: &str) -> Result<[u8; 32], String> {
    let b = hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| e.to_string())?;
    b.try_into()
        .map_err(|b: Vec<u8>| format!("expected 32 bytes, got {}", b.len()))
}

/// Checks `actual` (the hash of `what`) against an optional pin.
pub fn check_pin(pin: Option<[u8; 32]>, what: &str, actual: [u8; 32]) -> Result<(), PolicyError> {
    match pin {
        Some(p) if p != actual => Err(PolicyError::VkHashPin {
            expected: hex::encode(p),
            what: what.to_owned(),
            actual: hex::encode(actual),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_keys_need_the_flag_and_a_local_chain() {
        // Ceremony keys go anywhere, with or without a chain id.
        check_deployable("c", false, false, Some(1)).unwrap();
        check_deployable("c", false, false, None).unwrap();
        // A dev key without --dev-setup: refused, on every chain.
        for chain in [None, Some(1), Some(31337)] {
            let e = check_deployable("c", true, false, chain).unwrap_err();
            assert!(matches!(e, PolicyError::DevKeyNotAllowed { .. }));
            assert!(e.to_string().contains("forge"), "{e}");
        }
        // --dev-setup: only on 31337 and 1337.
        check_deployable("c", true, true, Some(31337)).unwrap();
        check_deployable("c", true, true, Some(1337)).unwrap();
        for id in [1u64, 5, 11155111, 10, 31338] {
            assert_eq!(
                check_deployable("c", true, true, Some(id)),
                Err(PolicyError::DevSetupOnPublicChain { chain_id: id })
            );
            // Even when the key turned out to be a ceremony key.
            assert!(check_deployable("c", false, true, Some(id)).is_err());
        }
        assert_eq!(
            check_deployable("c", true, true, None),
            Err(PolicyError::DevSetupNeedsChainId)
        );
    }

    #[test]
    fn vk_hash_pins() {
        let h = [0xab; 32];
        assert_eq!(parse_vk_hash(&format!("0x{}", hex::encode(h))), Ok(h));
        assert_eq!(parse_vk_hash(&hex::encode(h)), Ok(h));
        assert!(parse_vk_hash("0x1234").unwrap_err().contains("32 bytes"));
        assert!(parse_vk_hash("zz").is_err());
        check_pin(None, "the key", h).unwrap();
        check_pin(Some(h), "the key", h).unwrap();
        let e = check_pin(Some([0; 32]), "the proof", h).unwrap_err();
        assert!(e.to_string().contains("the proof has 0xabab"), "{e}");
    }
}
