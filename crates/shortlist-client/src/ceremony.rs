//! The whole key ceremony for trustees whose keys are all in one process
//! (the demo, the load generator and tests): every trustee commits, then
//! sends its shares, then checks the shares it received (spec: protocol §6).

use shortlist_crypto::credential::CredentialSecret;

use crate::api::{Api, Transport};
use crate::board::PollView;
use crate::trustee::Trustee;
use crate::{ClientError, Result};

/// Runs the ceremony for the trustees holding `keys`, in manifest order
/// (index 1 first); an error if any trustee complains about a share.
pub async fn run_in_one_process<T: Transport>(
    api: &Api<T>,
    view: &PollView,
    keys: &[CredentialSecret],
) -> Result<Vec<Trustee>> {
    let mut trustees: Vec<Trustee> = keys
        .iter()
        .zip(1u16..)
        .map(|(k, i)| Trustee::new(i, CredentialSecret::from_secret_bytes(&k.expose_secret_bytes())))
        .collect();
    for t in &mut trustees {
        t.commit(api, view).await?;
    }
    for t in &mut trustees {
        t.send_shares(api, view).await?;
    }
    for t in &mut trustees {
        let complaints = t.receive_shares(api, view).await?;
        if complaints > 0 {
            return Err(ClientError::protocol(format!(
                "trustee {} complained about {complaints} share(s)",
                t.index
            )));
        }
    }
    Ok(trustees)
}
