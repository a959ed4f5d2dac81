//! Dispatch: turns parsed arguments into library calls.

use std::fmt;
use std::path::PathBuf;

use alloy::primitives::B256;
use alloy::signers::local::PrivateKeySigner;
use egp::bank::{
    Amendment, ConfirmationPurpose, ConfirmationTerms, Expiry, GuaranteeTerms, document_hash, reference_hash,
};
use egp::deploy::DeployReport;
use egp::local::AnvilOptions;
use egp::seed::SeedOptions;
use egp::wallet::PasswordSource;
use egp::{Egp, Error, Result};
use egp_contracts::{ApplicantType, Pepper, ThaiId, dates, verification};
use serde::Serialize;

use super::args::{
    AdminCommand, ApplicantTypeArg, BankCommand, Cli, Command, ConfirmArgs, DocumentArgs, ExpireCommand,
    GatewayCommand, IssueArgs, PepperArgs, QrArgs, ShowCommand, WalletCommand,
};
use super::output;

/// Runs one command.
pub(crate) async fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match &cli.command {
        Command::Chain(args) => chain(&cli, args).await,
        Command::Deploy(args) => {
            let signer = cli.wallet.signer()?.ok_or(Error::NoWallet)?;
            let consortium = if args.with_roles { Some(cli.wallet.local_consortium()?) } else { None };
            let report = egp::deploy::deploy(
                &cli.rpc_url,
                signer,
                args.admin,
                consortium.as_ref(),
                &cli.manifest,
                args.redeploy,
            )
            .await?;
            output::result(&Deployed { report, manifest: cli.manifest.clone() }, json);
            Ok(())
        }
        Command::Seed(args) => seed(&cli, args.guarantees, args.seed).await,
        Command::Show(ShowCommand::Parties) => {
            let parties = cli.wallet.local_consortium()?.parties()?;
            output::result(&Parties(parties.into_iter().map(|(who, address)| Party { who, address }).collect()), json);
            Ok(())
        }
        Command::Wallet(command) => wallet_command(&cli, command),
        _ => {
            let signer = cli.wallet.signer()?;
            let egp = Egp::connect(&cli.rpc_url, &cli.manifest, signer).await?.with_dry_run(cli.dry_run);
            chain_command(&egp, &cli.command, json).await
        }
    }
}

async fn chain_command(egp: &Egp, command: &Command, json: bool) -> Result<()> {
    let outcome = match command {
        Command::Admin(command) => admin(egp, command).await?,
        Command::Bank(command) => bank(egp, command).await?,
        Command::Gateway(command) => gateway(egp, command).await?,
        Command::Expire(ExpireCommand::Guarantee { guarantee }) => egp.expire_guarantee(guarantee.id()).await?,
        Command::Expire(ExpireCommand::Confirmation { confirmation }) => {
            egp.expire_confirmation(confirmation.id()).await?
        }
        Command::Show(ShowCommand::Guarantee { guarantee, qr }) => {
            let shown = egp.guarantee(guarantee.id()).await?;
            write_qr(qr, &verification::guarantee_path(guarantee.id()))?;
            output::result(&shown, json);
            return Ok(());
        }
        Command::Show(ShowCommand::Confirmation { confirmation, qr }) => {
            let shown = egp.confirmation(confirmation.id()).await?;
            write_qr(qr, &verification::confirmation_path(confirmation.id()))?;
            output::result(&shown, json);
            return Ok(());
        }
        Command::Show(ShowCommand::Issuer { bank }) => {
            let issuer = egp.issuer(*bank).await?;
            output::result(&Shown(serde_json::to_value(&issuer).expect("serialisable")), json);
            return Ok(());
        }
        other => unreachable!("handled before connecting: {other:?}"),
    };
    output::result(&outcome, json);
    Ok(())
}

/// Writes the QR code of the page at `path` under the public base URL, when `--qr` asks for it.
fn write_qr(args: &QrArgs, path: &str) -> Result<()> {
    let Some(file) = &args.qr else { return Ok(()) };
    let base = args
        .public_url
        .as_deref()
        .ok_or_else(|| Error::Usage("--qr needs the public pages' base URL: --public-url or EGP_PUBLIC_URL".into()))?;
    let url = format!("{}{path}", verification::public_base(base)?);
    let svg = verification::qr_svg(&url)?;
    std::fs::write(file, svg).map_err(|source| Error::Io { path: file.clone(), source })?;
    output::note(format!("QR code of {url} written to {}", file.display()));
    Ok(())
}

async fn admin(egp: &Egp, command: &AdminCommand) -> Result<egp::Outcome> {
    match command {
        AdminCommand::AdmitIssuer { bank, name, kind } => egp.admit_issuer(*bank, (*kind).into(), name).await,
        AdminCommand::SuspendIssuer { bank, reason } => egp.suspend_issuer(*bank, reference_hash(reason)).await,
        AdminCommand::ResumeIssuer { bank } => egp.resume_issuer(*bank).await,
        AdminCommand::AddSigner { bank, address } => egp.add_signer(*bank, *address).await,
        AdminCommand::RemoveSigner { bank, address } => egp.remove_signer(*bank, *address).await,
        AdminCommand::RegisterAgency { code, name } => egp.register_agency(code, name).await,
        AdminCommand::AuthoriseGateway { address } => egp.authorise_gateway(*address).await,
        AdminCommand::RevokeGateway { address } => egp.revoke_gateway(*address).await,
        AdminCommand::SuspendGuarantee { guarantee, reason } => {
            egp.suspend_guarantee(guarantee.id(), reference_hash(reason)).await
        }
        AdminCommand::ResumeGuarantee { guarantee, reason } => {
            egp.resume_guarantee(guarantee.id(), reference_hash(reason)).await
        }
    }
}

async fn bank(egp: &Egp, command: &BankCommand) -> Result<egp::Outcome> {
    match command {
        BankCommand::Issue(args) => {
            let pepper = pepper(&args.pepper)?;
            let terms = guarantee_terms(egp, args).await?;
            egp.issue_guarantee(&terms, &pepper).await
        }
        BankCommand::Cancel { guarantee, reason } => egp.cancel(guarantee.id(), reason).await,
        BankCommand::Amend { guarantee, amount, expiry, document } => {
            let amendment = Amendment { new_amount: *amount, new_expiry: *expiry, terms_hash: hash_of(document)? };
            egp.propose_amendment(guarantee.id(), &amendment).await
        }
        BankCommand::Pay { guarantee, claim, amount, payment_ref } => {
            egp.pay(guarantee.id(), claim.sequence, *amount, reference_hash(payment_ref)).await
        }
        BankCommand::RejectClaim { guarantee, claim, discrepancies } => {
            egp.reject_claim(guarantee.id(), claim.sequence, discrepancies).await
        }
        BankCommand::Extend { guarantee, claim, expiry } => egp.extend(guarantee.id(), claim.sequence, *expiry).await,
        BankCommand::Confirm(args) => {
            let pepper = pepper(&args.pepper)?;
            let terms = confirmation_terms(egp, args).await?;
            egp.issue_confirmation(&terms, &pepper).await
        }
        BankCommand::RevokeConfirmation { confirmation, reason } => {
            egp.revoke_confirmation(confirmation.id(), reason).await
        }
        BankCommand::SupersedeConfirmation { confirmation, replacement } => {
            let pepper = pepper(&replacement.pepper)?;
            let terms = confirmation_terms(egp, replacement).await?;
            egp.supersede_confirmation(confirmation.id(), &terms, &pepper).await
        }
    }
}

async fn gateway(egp: &Egp, command: &GatewayCommand) -> Result<egp::Outcome> {
    match command {
        GatewayCommand::Accept(target) => egp.accept(target.guarantee.id(), &target.agency).await,
        GatewayCommand::Reject { target, reason } => egp.reject(target.guarantee.id(), &target.agency, reason).await,
        GatewayCommand::AcceptAmendment { target, amendment } => {
            egp.accept_amendment(target.guarantee.id(), &target.agency, amendment.sequence).await
        }
        GatewayCommand::RejectAmendment { target, amendment, reason } => {
            egp.reject_amendment(target.guarantee.id(), &target.agency, amendment.sequence, reason).await
        }
        GatewayCommand::Reduce { target, amount } => egp.reduce(target.guarantee.id(), &target.agency, *amount).await,
        GatewayCommand::Release { target, obligations_ended } => {
            let ended = match obligations_ended {
                Some(date) => *date,
                None => today(egp).await?,
            };
            egp.release(target.guarantee.id(), &target.agency, ended).await
        }
        GatewayCommand::Claim { target, amount, extend_to, demand } => {
            let demand = hash_of(demand)?;
            match extend_to {
                Some(date) => {
                    egp.claim_extend_or_pay(target.guarantee.id(), &target.agency, *amount, *date, demand).await
                }
                None => egp.claim(target.guarantee.id(), &target.agency, *amount, demand).await,
            }
        }
        GatewayCommand::WithdrawClaim(target) => egp.withdraw_claim(target.guarantee.id(), &target.agency).await,
        GatewayCommand::Supersede { target, replacement } => {
            egp.supersede(target.guarantee.id(), &target.agency, replacement.id()).await
        }
    }
}

/// Today in Bangkok, as the chain's clock says.
async fn today(egp: &Egp) -> Result<chrono::NaiveDate> {
    Ok(dates::bangkok_date(egp.chain_time().await?))
}

fn hash_of(document: &DocumentArgs) -> Result<B256> {
    match (&document.document, document.document_hash) {
        (Some(path), _) => document_hash(path),
        (None, Some(hash)) => Ok(hash),
        (None, None) => Err(Error::Usage("give --document FILE or --document-hash".to_owned())),
    }
}

fn pepper(args: &PepperArgs) -> Result<Pepper> {
    let text = match &args.pepper_file {
        Some(path) => std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.clone(), source })?,
        None => std::env::var(&args.pepper_env).map_err(|_| Error::MissingEnv { name: args.pepper_env.clone() })?,
    };
    Ok(Pepper::from_hex(&text).map_err(egp_contracts::Error::from)?)
}

/// A 13-digit id from an environment variable, or a hidden prompt. Never echoed.
fn thai_id(variable: &str, what: &str) -> Result<ThaiId> {
    let text = match std::env::var(variable) {
        Ok(text) => text,
        Err(_) => rpassword::prompt_password(format!("{what}'s 13-digit id (hidden; or set {variable}): "))
            .map_err(|_| Error::MissingEnv { name: variable.to_owned() })?,
    };
    Ok(text.parse::<ThaiId>().map_err(egp_contracts::Error::from)?)
}

async fn guarantee_terms(egp: &Egp, args: &IssueArgs) -> Result<GuaranteeTerms> {
    let expiry = match (&args.expiry, args.open, &args.condition) {
        (Some(date), false, None) => Expiry::Fixed(*date),
        (None, true, None) => Expiry::Open,
        (None, false, Some(path)) => Expiry::Conditional(document_hash(path)?),
        _ => return Err(Error::Usage("give exactly one of --expiry DATE, --open or --condition FILE".to_owned())),
    };
    let issue_date = match args.issue_date {
        Some(date) => date,
        None => today(egp).await?,
    };
    Ok(GuaranteeTerms {
        bank_ref: args.bank_ref.clone(),
        branch: args.branch.clone(),
        guarantee_type: args.guarantee_type,
        amount: args.amount,
        issue_date,
        effective_date: args.effective_date.unwrap_or(issue_date),
        expiry,
        agency: args.agency.clone(),
        project_number: args.project.clone(),
        contract_number: args.contract.clone(),
        applicant: thai_id(&args.applicant_id_env, "the applicant")?,
        applicant_type: args.applicant_type.map(|kind| match kind {
            ApplicantTypeArg::Juristic => ApplicantType::Juristic,
            ApplicantTypeArg::Individual => ApplicantType::Individual,
        }),
        document_hash: hash_of(&args.document)?,
    })
}

async fn confirmation_terms(egp: &Egp, args: &ConfirmArgs) -> Result<ConfirmationTerms> {
    let purpose = match (&args.project, args.budget) {
        (Some(number), Some(budget)) => ConfirmationPurpose::Project { number: number.clone(), budget },
        _ => ConfirmationPurpose::Registration,
    };
    let as_of = match args.as_of {
        Some(date) => date,
        None => today(egp).await?,
    };
    Ok(ConfirmationTerms {
        bank_ref: args.bank_ref.clone(),
        certifying_office: args.office.clone(),
        supplier: thai_id(&args.supplier_id_env, "the supplier")?,
        supplier_type: None,
        credit_line: args.credit_line,
        as_of,
        valid_until: args.valid_until,
        purpose,
        document_hash: hash_of(&args.document)?,
    })
}

fn wallet_command(cli: &Cli, command: &WalletCommand) -> Result<()> {
    match command {
        WalletCommand::New { dir } => {
            let source = cli.wallet.password_source();
            let password = source.read("new keystore password: ")?;
            if source == PasswordSource::Prompt && source.read("again: ")? != password {
                return Err(Error::Usage("the two passwords differ".to_owned()));
            }
            let (signer, path) = egp::wallet::new_keystore(dir, &password)?;
            output::result(&NewWallet { address: signer.address(), keystore: path }, cli.json);
        }
        WalletCommand::Address => {
            let signer = cli.wallet.signer()?.ok_or(Error::NoWallet)?;
            output::result(&Shown(serde_json::json!({ "address": signer.address() })), cli.json);
        }
    }
    Ok(())
}

async fn chain(cli: &Cli, args: &super::args::ChainArgs) -> Result<()> {
    let consortium = cli.wallet.local_consortium()?;
    let options = AnvilOptions {
        anvil: egp_contracts::tools::find_anvil()?,
        port: args.port.unwrap_or(consortium.port),
        block_time: args.block_time,
        state: args.state.clone(),
        states_in_memory: false,
    };
    let mut local = egp::local::start_anvil(&consortium, &options).await?;
    output::note(format!(
        "local consortium chain {} running at {} ({}); Ctrl-C stops it",
        consortium.chain_id,
        local.url,
        match options.block_time.or(consortium.block_time) {
            Some(seconds) => format!("a block every {seconds} s"),
            None => "a block per transaction".to_owned(),
        }
    ));
    output::result(&Shown(serde_json::json!({ "rpcUrl": local.url, "chainId": consortium.chain_id })), cli.json);
    // Ctrl-C or SIGTERM (a supervising script) stop anvil gracefully, so that --state is saved.
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|source| Error::Io { path: "SIGTERM handler".into(), source })?;
    tokio::select! {
        result = local.wait() => result,
        _ = tokio::signal::ctrl_c() => local.stop().await,
        _ = terminate.recv() => local.stop().await,
    }
}

async fn seed(cli: &Cli, guarantees: usize, seed: u64) -> Result<()> {
    let consortium = cli.wallet.local_consortium()?;
    let probe = Egp::connect(&cli.rpc_url, &cli.manifest, None::<PrivateKeySigner>).await?;
    let bar = indicatif::ProgressBar::new(guarantees as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("seeding {bar:40} {pos}/{len} guarantees, {per_sec}, eta {eta}")
            .expect("a valid template"),
    );
    let options = SeedOptions { guarantees, seed };
    let report = egp::seed::seed(&cli.rpc_url, probe.deployment(), &consortium, &options, |done, _| {
        bar.set_position(done as u64);
    })
    .await;
    bar.finish_and_clear();
    output::result(&Seeded(report?), cli.json);
    Ok(())
}

#[derive(Serialize)]
struct Deployed {
    #[serde(flatten)]
    report: DeployReport,
    manifest: PathBuf,
}

impl fmt::Display for Deployed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let deployment = &self.report.deployment;
        if self.report.deployed {
            writeln!(f, "deployed to chain {} (manifest {}):", deployment.chain_id, self.manifest.display())?;
        } else {
            writeln!(
                f,
                "already deployed on chain {} as {} says; nothing changed (--redeploy deploys again):",
                deployment.chain_id,
                self.manifest.display()
            )?;
        }
        for (name, contract) in deployment.contracts.iter() {
            writeln!(f, "  {name:<27} {} (block {})", contract.address, contract.deployment_block)?;
        }
        if self.report.roles_set_up {
            write!(f, "roles set up from the local consortium definition")?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct Party {
    who: String,
    address: alloy::primitives::Address,
}

#[derive(Serialize)]
#[serde(transparent)]
struct Parties(Vec<Party>);

impl fmt::Display for Parties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, party) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{}  {}", party.address, party.who)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct Seeded(egp::seed::SeedReport);

impl fmt::Display for Seeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seeded {} guarantees and {} credit confirmations in {} transactions",
            self.0.guarantees, self.0.confirmations, self.0.transactions
        )
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewWallet {
    address: alloy::primitives::Address,
    keystore: PathBuf,
}

impl fmt::Display for NewWallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "new key {} in {}", self.address, self.keystore.display())
    }
}

/// Any JSON value, shown as `key: value` lines.
#[derive(Serialize)]
#[serde(transparent)]
struct Shown(serde_json::Value);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            serde_json::Value::Object(map) => {
                for (index, (key, value)) in map.iter().enumerate() {
                    if index > 0 {
                        writeln!(f)?;
                    }
                    match value {
                        serde_json::Value::String(text) => write!(f, "{key}: {text}")?,
                        other => write!(f, "{key}: {other}")?,
                    }
                }
                Ok(())
            }
            other => write!(f, "{other}"),
        }
    }
}
