//! `egp deploy`: deploy the consortium and both registries to any node, grant the initial roles,
//! and write the deployment manifest the indexer and the API read. Against a chain that already
//! has the manifest's contracts it changes nothing unless asked to redeploy.

use std::path::Path;

use alloy::network::{EthereumWallet, TxSigner};
use alloy::primitives::{Address, Signature};
use alloy::providers::{Provider, ProviderBuilder};
use egp_contracts::deployment::{self, Deployment};
use serde::Serialize;

use crate::client::{contracts_error, node_error};
use crate::local::LocalConsortium;
use crate::{Egp, Error, Result};
use egp_contracts::rpc::NodeFailure;

/// What `deploy` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployReport {
    /// Whether new contracts were deployed (false: the manifest's contracts were already there).
    pub deployed: bool,
    /// Whether the local consortium's roles were set up.
    pub roles_set_up: bool,
    /// The manifest (new or existing).
    pub deployment: Deployment,
}

/// Deploys to the node at `url`, signing with `signer` (the deployer). The consortium admin is
/// `admin`, or the deployer. With `consortium`, the deployer (who must then be the admin) admits
/// its issuers and signers, registers its agencies and authorises its gateway. Writes the
/// manifest to `manifest`. If `manifest` already describes contracts present on this chain, does
/// nothing unless `redeploy`.
pub async fn deploy<S>(
    url: &str,
    signer: S,
    admin: Option<Address>,
    consortium: Option<&LocalConsortium>,
    manifest: &Path,
    redeploy: bool,
) -> Result<DeployReport>
where
    S: TxSigner<Signature> + Clone + Send + Sync + 'static,
{
    let deployer = signer.address();
    let admin = admin.unwrap_or(deployer);
    if consortium.is_some() && admin != deployer {
        return Err(Error::Usage(format!(
            "setting up the consortium's roles needs the deployer {deployer} to be the admin, not {admin}"
        )));
    }
    let parsed = url.parse().map_err(|_| Error::Usage(format!("{url:?} is not a valid RPC URL")))?;
    egp_contracts::tls::use_ring();
    let provider = ProviderBuilder::new().wallet(EthereumWallet::new(signer.clone())).connect_http(parsed).erased();
    let failed = |error| node_error(url, Some(deployer), NodeFailure::from_rpc(&error));
    let chain_id = provider.get_chain_id().await.map_err(failed)?;

    if manifest.is_file() && !redeploy {
        let existing = Deployment::read(manifest)?;
        if existing.chain_id != chain_id {
            // Never overwrite another chain's manifest by pointing at the wrong node.
            return Err(Error::Usage(format!(
                "manifest {} is for chain {}, the node at {url} serves chain {chain_id}: use another --manifest, \
                 or --redeploy to replace it",
                manifest.display(),
                existing.chain_id
            )));
        }
        {
            let mismatches = existing
                .check_on_chain(&provider)
                .await
                .map_err(|error| contracts_error(url, Some(deployer), error))?;
            if mismatches.is_empty() {
                return Ok(DeployReport { deployed: false, roles_set_up: false, deployment: existing });
            }
        }
    }
    let balance = provider.get_balance(deployer).await.map_err(failed)?;
    if balance.is_zero() && provider.get_gas_price().await.map(|price| price > 0).unwrap_or(true) {
        return Err(Error::InsufficientFunds { address: deployer });
    }
    let deployment = deployment::deploy(&provider, deployer, admin)
        .await
        .map_err(|error| contracts_error(url, Some(deployer), error))?;
    let roles_set_up = match consortium {
        Some(consortium) => {
            let admin = Egp::connect_to(url, deployment.clone(), Some(signer))?;
            consortium.set_up_roles(&admin).await?;
            true
        }
        None => false,
    };
    deployment.write(manifest)?;
    Ok(DeployReport { deployed: true, roles_set_up, deployment })
}
