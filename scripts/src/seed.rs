//! Realistic demo data for a development chain: guarantees of every type from every bank of the
//! local consortium to its agencies, with valid synthetic 13-digit ids, amounts of 5% of plausible
//! budgets, and lifecycles spread over every status (and over answered, lapsed and pending
//! amendments, and guarantees not yet in force); plus credit confirmations. Deterministic for a
//! given seed.
//!
//! A guarantee can only expire after its fixed expiry, which must lie in the future when it is
//! issued: the expired ones are issued to expire at the end of the chain's day, and once every
//! story is told the seed moves anvil's clock past that moment (`evm_increaseTime`, then one empty
//! block: transactions are simulated against the latest block's time) and expires them. The chain's
//! clock runs ahead of the wall clock by at most a day after.

use alloy::primitives::B256;
use chrono::{Days, NaiveDate};
use egp_contracts::deployment::Deployment;
use egp_contracts::{BankCode, Code, GuaranteeType, Pepper, Satang, ThaiId, dates};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::bank::{Amendment, ConfirmationPurpose, ConfirmationTerms, Expiry, GuaranteeTerms, reference_hash};
use crate::local::LocalConsortium;
use crate::{Egp, Error, Result};

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// How many guarantees (each with its own lifecycle).
    pub guarantees: usize,
    /// The random seed: the same seed gives the same data (on a fresh deployment).
    pub seed: u64,
}

/// What was seeded.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedReport {
    /// Guarantees issued (including replacements for superseded ones).
    pub guarantees: usize,
    /// Credit confirmations issued (including replacements).
    pub confirmations: usize,
    /// Transactions sent.
    pub transactions: usize,
    /// Blocks mined without a transaction, to move the chain's clock past the expiry of the
    /// guarantees seeded as expired (0 or 1).
    pub empty_blocks: usize,
}

/// Where a seeded guarantee's life ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Pending,
    Accepted,
    Rejected,
    Cancelled,
    Amended,
    AmendmentPending,
    AmendmentRejected,
    AmendmentLapsed,
    NotYetEffective,
    Reduced,
    Released,
    Claimed,
    ExtendOrPay,
    Extended,
    PaidPartially,
    PaidOut,
    ClaimRejected,
    ClaimWithdrawn,
    Expired,
    Superseded,
    Suspended,
}

/// How many stories there are: seeding this many guarantees tells each once, so every status
/// appears whatever the seed.
pub const STORY_COUNT: usize = STORIES.len();

const STORIES: [Story; 21] = [
    Story::Pending,
    Story::Accepted,
    Story::Rejected,
    Story::Cancelled,
    Story::Amended,
    Story::AmendmentPending,
    Story::AmendmentRejected,
    Story::AmendmentLapsed,
    Story::NotYetEffective,
    Story::Reduced,
    Story::Released,
    Story::Claimed,
    Story::ExtendOrPay,
    Story::Extended,
    Story::PaidPartially,
    Story::PaidOut,
    Story::ClaimRejected,
    Story::ClaimWithdrawn,
    Story::Expired,
    Story::Superseded,
    Story::Suspended,
];

/// The development pepper for seeded data (the local stack's `EGP_PEPPER` default).
pub const DEV_PEPPER_HEX: &str = "0x6567702d636861696e206465762070657070657220646f206e6f7420757365";

struct Parties {
    admin: Egp,
    gateway: Egp,
    banks: Vec<(BankCode, Egp)>,
    agencies: Vec<Code>,
}

/// A valid synthetic 13-digit id: four in five are companies (leading 0), the rest individuals.
fn synthetic_id(rng: &mut StdRng) -> ThaiId {
    let juristic = rng.gen_ratio(4, 5);
    let mut digits = [0u8; 12];
    for digit in &mut digits {
        *digit = rng.gen_range(0..10);
    }
    digits[0] = if juristic { 0 } else { rng.gen_range(1..9) };
    ThaiId::from_first_twelve(digits).expect("digits are 0-9")
}

/// Seeds `options.guarantees` guarantees (and a quarter as many credit confirmations) on the
/// deployment at `url`, signing as the local consortium's parties. `progress(done, total)` is
/// called after each guarantee.
pub async fn seed(
    url: &str,
    deployment: &Deployment,
    consortium: &LocalConsortium,
    options: &SeedOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<SeedReport> {
    let pepper = Pepper::from_hex(DEV_PEPPER_HEX).expect("a valid development pepper");
    let connect = |signer| Egp::connect_to(url, deployment.clone(), Some(signer));
    let mut banks = Vec::new();
    for issuer in &consortium.issuers {
        banks.push((issuer.bank_code, connect(consortium.signer(issuer.account_index)?)?));
    }
    let parties = Parties {
        admin: connect(consortium.admin()?)?,
        gateway: connect(consortium.gateway()?)?,
        banks,
        agencies: consortium.agencies.iter().map(|agency| agency.code.clone()).collect(),
    };
    let today = dates::bangkok_date(parties.admin.chain_time().await?);
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut report = SeedReport::default();
    let mut expiring = Vec::new();
    let total = options.guarantees;
    for index in 0..total {
        // Every story appears before any repeats; then at random.
        let story = match STORIES.get(index) {
            Some(story) => *story,
            None => STORIES[rng.gen_range(0..STORIES.len())],
        };
        // An expired story ends at the end of the chain's day, which may no longer be `today`.
        let day = match story {
            Story::Expired => dates::bangkok_date(parties.admin.chain_time().await?),
            _ => today,
        };
        let id = guarantee_story(&parties, &pepper, &mut rng, day, options.seed, index, story, &mut report).await?;
        if story == Story::Expired {
            expiring.push((id, dates::end_of_day(day)));
        }
        if index % 4 == 3 {
            confirmation_story(&parties, &pepper, &mut rng, today, options.seed, index, &mut report).await?;
        }
        progress(index + 1, total);
    }
    if let Some(last) = expiring.iter().map(|(_, expiry)| *expiry).max() {
        report.empty_blocks += advance_clock_past(url, &parties.admin, last).await?;
        for (id, _) in expiring {
            parties.admin.expire_guarantee(id).await?;
            report.transactions += 1;
        }
    }
    Ok(report)
}

/// Moves anvil's clock past `moment` (unless it is past already) and mines a block there, so that
/// what follows is simulated and mined after it. Returns the blocks mined (0 or 1).
async fn advance_clock_past(url: &str, egp: &Egp, moment: u64) -> Result<usize> {
    use alloy::providers::Provider;
    let now = egp.chain_time().await?;
    if now > moment {
        return Ok(0);
    }
    let refused = |error: alloy::transports::TransportError| {
        Error::Usage(format!(
            "seeding expired guarantees moves the chain's clock with evm_increaseTime and evm_mine, which the node \
             at {url} refused ({error}): seed an anvil chain (egp chain)"
        ))
    };
    let provider = egp.provider();
    let _: serde_json::Value =
        provider.raw_request("evm_increaseTime".into(), (moment + 1 - now,)).await.map_err(refused)?;
    let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await.map_err(refused)?;
    Ok(1)
}

#[allow(clippy::too_many_arguments, reason = "one story's context; a struct would only rename the arguments")]
async fn guarantee_story(
    parties: &Parties,
    pepper: &Pepper,
    rng: &mut StdRng,
    today: NaiveDate,
    seed: u64,
    index: usize,
    story: Story,
    report: &mut SeedReport,
) -> Result<B256> {
    let (bank_code, bank) = &parties.banks[rng.gen_range(0..parties.banks.len())];
    let agency = parties.agencies[rng.gen_range(0..parties.agencies.len())].clone();
    let guarantee_type = [
        GuaranteeType::TEND,
        GuaranteeType::PERF,
        GuaranteeType::PERF,
        GuaranteeType::APAY,
        GuaranteeType::RETN,
        GuaranteeType::WARR,
        GuaranteeType::OTHR,
    ][rng.gen_range(0..7)];
    // Budgets from 0.5 to 500 million baht; guarantees at 5% (advance payments at 15%).
    let budget_baht: u128 = rng.gen_range(500_000..500_000_000);
    let share = if guarantee_type == GuaranteeType::APAY { 15 } else { 5 };
    let amount = Satang(budget_baht * share); // budget × share% in satang = budget_baht × 100 × share / 100
    let issue_date = today.checked_sub_days(Days::new(rng.gen_range(0..60))).unwrap_or(today);
    let expiry = match story {
        // Expired: a short fixed term that ends today (the seed expires it once the day is over).
        Story::Expired => Expiry::Fixed(today),
        // Extend-or-pay needs a fixed expiry; an open one would leave the story merely Active.
        _ if !matches!(story, Story::ExtendOrPay | Story::Extended) && rng.gen_ratio(1, 10) => Expiry::Open,
        _ => Expiry::Fixed(issue_date.checked_add_days(Days::new(rng.gen_range(180..1100))).unwrap_or(issue_date)),
    };
    let effective_date = match story {
        Story::Expired => today.checked_sub_days(Days::new(90)).unwrap_or(today),
        // Accepted now, in force from a date some weeks ahead (no claim before it).
        Story::NotYetEffective => today.checked_add_days(Days::new(rng.gen_range(7..45))).unwrap_or(today),
        _ => issue_date,
    };
    let terms = GuaranteeTerms {
        bank_ref: format!("S{seed}-{:03}-{index:06}", bank_code.get()),
        branch: Code::new(&format!("{:04}", rng.gen_range(1..1200)))?,
        guarantee_type,
        amount,
        issue_date,
        effective_date,
        expiry: expiry.clone(),
        agency: agency.clone(),
        project_number: Code::new(&format!("{}", rng.gen_range(66_000_000_000u64..69_999_999_999)))?,
        contract_number: if guarantee_type == GuaranteeType::TEND {
            String::new()
        } else {
            format!("{}/{}", rng.gen_range(1..900), 2569)
        },
        applicant: synthetic_id(rng),
        applicant_type: None,
        document_hash: reference_hash(&format!("seed document {seed} {index}")),
    };
    let id = bank.issue_guarantee(&terms, pepper).await?.subject_id();
    report.guarantees += 1;
    report.transactions += 1;
    let gateway = &parties.gateway;
    let mut step = |_: &str| report.transactions += 1;
    let reason = Code::new("NOT-COMPLIANT")?;
    let fixed = matches!(expiry, Expiry::Fixed(_));
    match story {
        Story::Pending => {}
        Story::Rejected => {
            gateway.reject(id, &agency, &reason).await?;
            step("reject");
        }
        Story::Cancelled => {
            bank.cancel(id, &Code::new("ISSUED-IN-ERROR")?).await?;
            step("cancel");
        }
        // Expired once the seed has moved the clock past today.
        Story::Expired => {}
        _ => {
            gateway.accept(id, &agency).await?;
            step("accept");
            let claim_amount = Satang(amount.0 / 4);
            let demand = reference_hash(&format!("demand {seed} {index}"));
            match story {
                Story::Amended | Story::AmendmentPending | Story::AmendmentRejected | Story::AmendmentLapsed => {
                    let new_expiry = match expiry {
                        Expiry::Fixed(date) => date.checked_add_days(Days::new(90)),
                        _ => None,
                    };
                    let amendment = Amendment {
                        new_amount: Satang(amount.0 + amount.0 / 10),
                        new_expiry,
                        terms_hash: reference_hash(&format!("amendment {seed} {index}")),
                    };
                    bank.propose_amendment(id, &amendment).await?;
                    step("amend");
                    match story {
                        Story::Amended => {
                            gateway.accept_amendment(id, &agency, None).await?;
                            step("accept amendment");
                        }
                        Story::AmendmentRejected => {
                            gateway.reject_amendment(id, &agency, None, &reason).await?;
                            step("reject amendment");
                        }
                        // The agency releases part of it before answering: the proposal lapses.
                        Story::AmendmentLapsed => {
                            gateway.reduce(id, &agency, Satang(amount.0 / 5)).await?;
                            step("reduce");
                        }
                        _ => {}
                    }
                }
                Story::Reduced => {
                    gateway.reduce(id, &agency, Satang(amount.0 / 2)).await?;
                    step("reduce");
                }
                Story::Released => {
                    gateway.release(id, &agency, today).await?;
                    step("release");
                }
                Story::Claimed | Story::PaidPartially | Story::ClaimRejected | Story::ClaimWithdrawn => {
                    gateway.claim(id, &agency, claim_amount, demand).await?;
                    step("claim");
                    match story {
                        Story::PaidPartially => {
                            let reference = reference_hash(&format!("GFMIS-{seed}-{index}"));
                            bank.pay(id, None, claim_amount, reference).await?;
                            step("pay");
                        }
                        Story::ClaimRejected => {
                            let discrepancies = [Code::new("LATE-PRESENTATION")?, Code::new("MISSING-STATEMENT")?];
                            bank.reject_claim(id, None, &discrepancies).await?;
                            step("reject claim");
                        }
                        Story::ClaimWithdrawn => {
                            gateway.withdraw_claim(id, &agency).await?;
                            step("withdraw claim");
                        }
                        _ => {}
                    }
                }
                Story::ExtendOrPay | Story::Extended if fixed => {
                    let Expiry::Fixed(current) = expiry else { unreachable!("fixed expiry") };
                    let requested = current.checked_add_days(Days::new(180)).unwrap_or(current);
                    gateway.claim_extend_or_pay(id, &agency, claim_amount, requested, demand).await?;
                    step("claim extend or pay");
                    if story == Story::Extended {
                        bank.extend(id, None, requested).await?;
                        step("extend");
                    }
                }
                Story::PaidOut => {
                    gateway.claim(id, &agency, amount, demand).await?;
                    step("claim");
                    bank.pay(id, None, amount, reference_hash(&format!("GFMIS-{seed}-{index}"))).await?;
                    step("pay");
                }
                Story::Superseded => {
                    let mut top_up = terms.clone();
                    top_up.bank_ref = format!("{}-R", terms.bank_ref);
                    top_up.amount = Satang(amount.0 + amount.0 / 5);
                    let replacement = bank.issue_guarantee(&top_up, pepper).await?.subject_id();
                    report.guarantees += 1;
                    step("issue replacement");
                    gateway.accept(replacement, &agency).await?;
                    step("accept replacement");
                    gateway.supersede(id, &agency, replacement).await?;
                    step("supersede");
                }
                Story::Suspended => {
                    parties.admin.suspend_guarantee(id, reference_hash("court order (demo)")).await?;
                    step("suspend");
                }
                _ => {}
            }
        }
    }
    Ok(id)
}

async fn confirmation_story(
    parties: &Parties,
    pepper: &Pepper,
    rng: &mut StdRng,
    today: NaiveDate,
    seed: u64,
    index: usize,
    report: &mut SeedReport,
) -> Result<()> {
    let (bank_code, bank) = &parties.banks[rng.gen_range(0..parties.banks.len())];
    let budget = Satang(u128::from(rng.gen_range(1_000_000u64..300_000_000)) * 100);
    let purpose = if rng.gen_ratio(3, 4) {
        ConfirmationPurpose::Project {
            number: Code::new(&format!("{}", rng.gen_range(66_000_000_000u64..69_999_999_999)))?,
            budget,
        }
    } else {
        ConfirmationPurpose::Registration
    };
    let terms = ConfirmationTerms {
        bank_ref: format!("S{seed}-CC-{:03}-{index:06}", bank_code.get()),
        certifying_office: Code::new("HEAD OFFICE")?,
        supplier: synthetic_id(rng),
        supplier_type: None,
        // A third of the budget: enough for the quarter-of-budget tender rule.
        credit_line: Satang(budget.0 / 3),
        as_of: today,
        valid_until: None,
        purpose,
        document_hash: reference_hash(&format!("seed confirmation {seed} {index}")),
    };
    let id = bank.issue_confirmation(&terms, pepper).await?.subject_id();
    report.confirmations += 1;
    report.transactions += 1;
    match rng.gen_range(0..6) {
        0 => {
            bank.revoke_confirmation(id, &Code::new("FACILITY-WITHDRAWN")?).await?;
            report.transactions += 1;
        }
        1 => {
            let mut replacement = terms.clone();
            replacement.bank_ref = format!("{}-R", terms.bank_ref);
            replacement.credit_line = Satang(terms.credit_line.0 * 2);
            bank.supersede_confirmation(id, &replacement, pepper).await?;
            report.confirmations += 1;
            report.transactions += 1;
        }
        _ => {}
    }
    Ok(())
}
