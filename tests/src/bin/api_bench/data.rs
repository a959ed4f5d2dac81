//! The synthetic chain: a consortium of banks and agencies, then guarantees with realistic spread
//! (banks, agencies and suppliers skewed, every type, fixed/open/conditional expiry, statuses from
//! their lifecycle), as ABI-encoded logs decoded by the indexer's own `Decoder` into the batches
//! its reader hands on (`load.rs` commits them).

use alloy::primitives::{Address, B256, LogData, keccak256};
use alloy::sol_types::SolEvent;
use egp_contracts::bindings::consortium::Consortium as C;
use egp_contracts::bindings::guarantee_registry::GuaranteeRegistry as G;
use egp_contracts::bindings::guarantee_registry::IGuaranteeRegistry::IssueRequest;
use egp_contracts::{
    ApplicantType, BankCode, Code, Deployment, ExpiryType, GuaranteeStatus as S, GuaranteeType, IssuerKind, Pepper,
    ThaiId,
};
use egp_indexer::decode::{Decoder, IndexedEvent, Provenance};
use egp_indexer::read::Batch;
use egp_indexer::write::BlockHeader;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The chain id of the synthetic chain.
pub(crate) const CHAIN_ID: u64 = 31_337;
/// Guarantees issued per block.
const PER_BLOCK: usize = 25;
/// Events per committed batch (the indexer's default `--target-batch-events`).
const BATCH_EVENTS: usize = 10_000;
/// The first block time: 2023-01-01 00:00 Bangkok.
const T0: u64 = 1_672_506_000;
/// The last block time: 2026-06-01 00:00 Bangkok; fixed expiries before it have run their course.
const T1: u64 = 1_780_246_800;
const DAY: u64 = 86_400;

/// Banks (code, name) and their share of guarantees (weights).
const BANKS: [(u16, &str, u32); 10] = [
    (2, "Bangkok Bank", 22),
    (4, "Kasikornbank", 20),
    (6, "Krungthai Bank", 18),
    (14, "Siam Commercial Bank", 14),
    (25, "Bank of Ayudhya", 9),
    (11, "TMBThanachart Bank", 7),
    (30, "Government Savings Bank", 4),
    (34, "Bank for Agriculture and Agricultural Cooperatives", 3),
    (69, "Kiatnakin Phatra Bank", 2),
    (73, "LH Bank", 1),
];

/// Agencies registered; their share follows 1/rank (a few large departments, a long tail).
pub(crate) const AGENCIES: usize = 200;

/// The deployment the synthetic events claim to come from.
pub(crate) fn deployment() -> Deployment {
    egp_testkit::synthetic_deployment(CHAIN_ID, "egp-api-bench")
}

/// The agency code of rank `k` (5 digits, as e-GP's department codes).
pub(crate) fn agency_code(k: usize) -> String {
    format!("{:05}", 1001 + k * 97)
}

/// The hash of synthetic block `number`.
pub(crate) fn block_hash(number: u64) -> B256 {
    keccak256(format!("egp-api-bench block {number}"))
}

/// Picks an index with probability proportional to `weights`.
fn weighted(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(1.0);
    let x = rng.r#gen::<f64>() * total;
    cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1)
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |sum, w| {
            *sum += w;
            Some(*sum)
        })
        .collect()
}

/// Where the next log of a block goes.
#[derive(Default)]
struct Position {
    transaction: u64,
    log: u64,
}

/// Generates the chain, batch by batch.
pub(crate) struct Synthetic {
    deployment: Deployment,
    decoder: Decoder,
    rng: StdRng,
    total: usize,
    next: usize,
    next_block: u64,
    seconds_per_block: u64,
    bank_weights: Vec<f64>,
    agency_weights: Vec<f64>,
    suppliers: Vec<(B256, u8)>,
    supplier_weights: Vec<f64>,
    projects: usize,
    /// Every `sample_every`-th guarantee id, for the lookups.
    pub(crate) sample: Vec<B256>,
    sample_every: usize,
}

impl Synthetic {
    /// A chain of `total` guarantees whose applicants commit under `pepper`.
    pub(crate) fn new(total: usize, pepper: &Pepper, seed: u64) -> Self {
        let deployment = deployment();
        let decoder = Decoder::new(&deployment);
        let mut rng = StdRng::seed_from_u64(seed);
        let blocks = total.div_ceil(PER_BLOCK).max(1) as u64;
        let supplier_count = (total / 20).clamp(10, 50_000);
        let suppliers = (0..supplier_count)
            .map(|_| {
                // Four in five applicants are companies (registration numbers start with 0).
                let mut digits = [0u8; 12];
                for d in &mut digits {
                    *d = rng.gen_range(0..10);
                }
                digits[0] = if rng.gen_bool(0.8) { 0 } else { rng.gen_range(1..9) };
                let id = ThaiId::from_first_twelve(digits).expect("digits");
                let kind = if id.is_juristic() { ApplicantType::Juristic } else { ApplicantType::Individual };
                (id.commit(pepper), kind as u8)
            })
            .collect();
        Self {
            deployment,
            decoder,
            rng,
            total,
            next: 0,
            next_block: 2,
            seconds_per_block: ((T1 - T0) / blocks).max(1),
            bank_weights: cumulative(BANKS.iter().map(|b| f64::from(b.2))),
            agency_weights: cumulative((0..AGENCIES).map(|k| 1.0 / (k + 1) as f64)),
            suppliers,
            // A supplier's share follows 1/sqrt(rank): regular bidders and occasional ones.
            supplier_weights: cumulative((0..supplier_count).map(|k| 1.0 / ((k + 1) as f64).sqrt())),
            projects: (total / 8).max(10),
            sample: Vec::new(),
            sample_every: (total / 20_000).max(1),
        }
    }

    /// How many guarantees are generated so far.
    pub(crate) fn generated(&self) -> usize {
        self.next
    }

    fn header(&self, number: u64) -> BlockHeader {
        BlockHeader {
            number,
            hash: block_hash(number),
            parent_hash: block_hash(number - 1),
            timestamp: T0 + (number - 2) * self.seconds_per_block,
        }
    }

    fn emit(&self, header: &BlockHeader, at: &mut Position, contract: Address, log: LogData) -> IndexedEvent {
        let mut tx = header.number.to_be_bytes().to_vec();
        tx.extend_from_slice(&at.transaction.to_be_bytes());
        let provenance = Provenance {
            contract_address: contract,
            block_number: header.number,
            block_hash: header.hash,
            block_timestamp: header.timestamp,
            transaction_hash: keccak256(tx),
            transaction_index: at.transaction,
            log_index: at.log,
            is_final: true,
        };
        at.transaction += 1;
        at.log += 1;
        self.decoder.decode(provenance, &log).expect("the bindings' own events decode")
    }

    /// Block 1: the banks, their signers, the agencies and the e-GP gateway.
    pub(crate) fn setup(&self) -> Batch {
        let header = BlockHeader { number: 1, hash: block_hash(1), parent_hash: block_hash(0), timestamp: T0 - DAY };
        let consortium = self.deployment.contracts.consortium.address;
        let admin = self.deployment.deployer;
        let mut at = Position::default();
        let mut events = Vec::new();
        for (code, name, _) in BANKS {
            let kind = IssuerKind::Bank as u8;
            let admitted = C::IssuerAdmitted { bankCode: code, kind, name: name.into(), actor: admin };
            events.push(self.emit(&header, &mut at, consortium, admitted.encode_log_data()));
            let signer = signer(code);
            let added = C::SignerAdded { bankCode: code, signer, signerCount: 1, actor: admin };
            events.push(self.emit(&header, &mut at, consortium, added.encode_log_data()));
        }
        for k in 0..AGENCIES {
            let code = Code::new(&agency_code(k)).expect("a code").to_b256();
            let name = format!("Agency {}", agency_code(k));
            let registered = C::AgencyRegistered { agencyCode: code, name, actor: admin };
            events.push(self.emit(&header, &mut at, consortium, registered.encode_log_data()));
        }
        let authorised = C::GatewayAuthorised { gateway: gateway(), actor: admin };
        events.push(self.emit(&header, &mut at, consortium, authorised.encode_log_data()));
        Batch {
            from: 1,
            to: 1,
            parent_hash: header.parent_hash,
            to_hash: header.hash,
            to_timestamp: header.timestamp,
            blocks: vec![header],
            events,
            final_block: Some(1),
        }
    }

    /// The next batch of about 10,000 events (whole blocks), or `None` when every guarantee is out.
    pub(crate) fn next_batch(&mut self) -> Option<Batch> {
        if self.next >= self.total {
            return None;
        }
        let from = self.next_block;
        let mut blocks = Vec::new();
        let mut events = Vec::new();
        while events.len() < BATCH_EVENTS && self.next < self.total {
            let header = self.header(self.next_block);
            self.next_block += 1;
            let mut at = Position::default();
            for _ in 0..PER_BLOCK {
                if self.next >= self.total {
                    break;
                }
                self.guarantee(&header, &mut at, &mut events);
                self.next += 1;
            }
            blocks.push(header);
        }
        let to = self.next_block - 1;
        let to_timestamp = self.header(to).timestamp;
        let parent_hash = block_hash(from - 1);
        Some(Batch {
            from,
            to,
            parent_hash,
            to_hash: block_hash(to),
            to_timestamp,
            blocks,
            events,
            final_block: Some(to),
        })
    }

    /// Guarantee `self.next`: its issue and, in the same block, the rest of its lifecycle so far.
    fn guarantee(&mut self, header: &BlockHeader, at: &mut Position, events: &mut Vec<IndexedEvent>) {
        let i = self.next;
        let registry = self.deployment.contracts.guarantee_registry.address;
        let rng = &mut self.rng;
        let (bank, _, _) = BANKS[weighted(rng, &self.bank_weights)];
        let agency = Code::new(&agency_code(weighted(rng, &self.agency_weights))).expect("a code").to_b256();
        let (applicant, applicant_type) = self.suppliers[weighted(rng, &self.supplier_weights)];
        let kind = match rng.gen_range(0..100) {
            0..25 => GuaranteeType::TEND,
            25..65 => GuaranteeType::PERF,
            65..77 => GuaranteeType::APAY,
            77..87 => GuaranteeType::RETN,
            87..97 => GuaranteeType::WARR,
            _ => GuaranteeType::OTHR,
        };
        let issue_date = header.timestamp - (header.timestamp + 7 * 3600) % DAY;
        let (expiry_type, expiry_date, condition) = match rng.gen_range(0..100) {
            0..5 => (ExpiryType::OPEN, 0, B256::ZERO),
            5..7 => (ExpiryType::COND, 0, keccak256(format!("condition {i}"))),
            _ => {
                let days = if kind == GuaranteeType::TEND { rng.gen_range(60..180) } else { rng.gen_range(180..1460) };
                (ExpiryType::FIXD, issue_date + days * DAY, B256::ZERO)
            }
        };
        // Log-uniform from 10,000 THB to 50 M THB, in satang.
        let amount = 10f64.powf(rng.gen_range(6.0..9.7)) as u128;
        let year = 2543 + dates_year(issue_date);
        let bank_ref = format!("LG-{year}-{i:08}");
        let bank_code = BankCode::new(bank).expect("a bank code");
        let id = egp_contracts::types::record_id(bank_code, &bank_ref);
        let project = format!("6{:010}", rng.gen_range(0..self.projects));
        let request = IssueRequest {
            bankRef: bank_ref,
            branchCode: Code::new(&format!("{:04}", rng.gen_range(1..300))).expect("a code").to_b256(),
            guaranteeType: kind as u8,
            amount,
            issueDate: issue_date,
            effectiveDate: issue_date,
            expiryType: expiry_type as u8,
            expiryDate: expiry_date,
            expiryConditionHash: condition,
            agencyCode: agency,
            projectNumber: Code::new(&project).expect("a code").to_b256(),
            contractNumber: if kind == GuaranteeType::TEND { String::new() } else { format!("CN-{year}/{i}") },
            applicantCommitment: applicant,
            applicantType: applicant_type,
            documentHash: keccak256(format!("document {i}")),
        };
        let bank_signer = signer(bank);
        let gateway = gateway();
        let issued = G::GuaranteeIssued {
            id,
            bankCode: bank,
            agencyCode: agency,
            request,
            status: S::PendingAcceptance as u8,
            actor: bank_signer,
        };
        let mut logs = vec![issued.encode_log_data()];
        let reason = Code::new("DOCS").expect("a code").to_b256();
        let roll = rng.gen_range(0..1000);
        if roll < 20 {
            let status = S::Rejected as u8;
            logs.push(
                G::GuaranteeRejected { id, reasonCode: reason, status, agencyCode: agency, actor: gateway }
                    .encode_log_data(),
            );
        } else if roll < 30 {
            let status = S::Cancelled as u8;
            logs.push(G::GuaranteeCancelled { id, reasonCode: reason, status, actor: bank_signer }.encode_log_data());
        } else if roll >= 70 {
            let status = S::Active as u8;
            logs.push(G::GuaranteeAccepted { id, status, agencyCode: agency, actor: gateway }.encode_log_data());
            let ended = expiry_type == ExpiryType::FIXD && expiry_date < T1;
            let roll = rng.gen_range(0..1000);
            let release = |sequence: u16, amount: u128, at: u64| G::GuaranteeReleased {
                id,
                sequence,
                releasedAmount: amount,
                obligationsEndedAt: at,
                returnDeadline: at + 15 * DAY,
                status: S::Released as u8,
                agencyCode: agency,
                actor: gateway,
            };
            let claim = |status: S, extend: bool| G::ClaimMade {
                id,
                sequence: 1,
                claimAmount: amount / 2,
                extendOrPay: extend,
                requestedExpiryDate: if extend { expiry_date + 180 * DAY } else { 0 },
                demandHash: keccak256(format!("demand {i}")),
                status: status as u8,
                agencyCode: agency,
                actor: gateway,
            };
            if ended {
                // Its fixed expiry has passed: released, expired, or claimed and paid out.
                if roll < 550 {
                    logs.push(release(1, amount, expiry_date - 30 * DAY).encode_log_data());
                } else if roll < 950 {
                    let status = S::Expired as u8;
                    logs.push(
                        G::GuaranteeExpired { id, expiryDate: expiry_date, status, actor: Address::ZERO }
                            .encode_log_data(),
                    );
                } else {
                    logs.push(claim(S::Claimed, false).encode_log_data());
                    logs.push(
                        G::ClaimPaid {
                            id,
                            sequence: 1,
                            paidAmount: amount,
                            paymentReference: keccak256(format!("payment {i}")),
                            outstanding: 0,
                            totalPaid: amount,
                            status: S::PaidOut as u8,
                            actor: bank_signer,
                        }
                        .encode_log_data(),
                    );
                }
            } else if roll < 60 {
                logs.push(release(1, amount, header.timestamp).encode_log_data());
            } else if roll < 90 {
                logs.push(
                    G::GuaranteeReduced {
                        id,
                        sequence: 1,
                        reducedBy: amount / 4,
                        outstanding: amount - amount / 4,
                        status: S::Active as u8,
                        agencyCode: agency,
                        actor: gateway,
                    }
                    .encode_log_data(),
                );
            } else if roll < 120 {
                logs.push(claim(S::Claimed, false).encode_log_data());
            } else if roll < 130 {
                logs.push(claim(S::ExtendOrPay, true).encode_log_data());
            } else if roll < 140 {
                logs.push(
                    G::GuaranteeSuspended {
                        id,
                        reasonHash: keccak256(format!("court order {i}")),
                        previousStatus: S::Active as u8,
                        status: S::Suspended as u8,
                        actor: self.deployment.deployer,
                    }
                    .encode_log_data(),
                );
            }
        }
        for log in logs {
            events.push(self.emit(header, at, registry, log));
        }
        if i.is_multiple_of(self.sample_every) {
            self.sample.push(id);
        }
    }
}

/// The Gregorian year of a Unix time (Bangkok), for bank references.
fn dates_year(timestamp: u64) -> i32 {
    use chrono::Datelike;
    egp_contracts::dates::bangkok_date(timestamp).year()
}

/// The signer of bank `code`.
fn signer(code: u16) -> Address {
    Address::left_padding_from(&[0xb0, (code >> 8) as u8, code as u8])
}

/// The e-GP gateway.
fn gateway() -> Address {
    Address::repeat_byte(0xe6)
}
