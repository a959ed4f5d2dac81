// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Vm} from "../utils/Test.sol";
import {IConsortium} from "../../src/interfaces/IConsortium.sol";
import {IGuaranteeRegistry} from "../../src/interfaces/IGuaranteeRegistry.sol";
import {IEgpTypes} from "../../src/interfaces/Types.sol";

/// @notice Drives random sequences of every e-LG transition over six guarantees (even slots issued
/// by bank 002, odd slots by bank 004; slot 5 names another agency), each as the actor the lifecycle
/// names, plus attempts by wrong actors, issuer suspension and the passage of time. Answers name the
/// claim or amendment they answer, sometimes a stale one; guarantees sometimes take effect in the
/// future. After every call it compares all six records with their state before the call and raises
/// a flag on any forbidden change; ghost totals let the invariants check the books.
/// @dev Every action swallows reverts: the fuzzer is meant to wander into refused calls too. Values
/// read from the registry are read before `vm.prank`, which applies to the next call of any kind.
contract GuaranteeHandler {
    Vm private constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    uint256 public constant SLOTS = 6;
    uint16 private constant BANK_A = 2;
    uint16 private constant BANK_B = 4;
    bytes32 private constant AGENCY = "21009";
    bytes32 private constant OTHER_AGENCY = "03005";

    uint16 private constant PENDING = uint16(1) << uint8(IGuaranteeRegistry.Status.PendingAcceptance);
    uint16 private constant ACTIVE = uint16(1) << uint8(IGuaranteeRegistry.Status.Active);
    uint16 private constant EXTEND_OR_PAY = uint16(1) << uint8(IGuaranteeRegistry.Status.ExtendOrPay);
    uint16 private constant OPEN_CLAIM = (uint16(1) << uint8(IGuaranteeRegistry.Status.Claimed)) | EXTEND_OR_PAY;
    uint16 private constant SUSPENDED = uint16(1) << uint8(IGuaranteeRegistry.Status.Suspended);
    uint16 private constant LIVE = PENDING | ACTIVE | OPEN_CLAIM;

    IGuaranteeRegistry public immutable registry;
    IConsortium public immutable consortium;
    address private immutable admin;
    address private immutable gateway;
    address private immutable bankA;
    address private immutable bankA2;
    address private immutable bankB;
    address private immutable suspendedBank;
    address private immutable stranger;

    /// The guarantee id of each slot.
    bytes32[SLOTS] public ids;

    /// Ghost totals per guarantee: what the agency reduced and what the bank paid.
    mapping(bytes32 id => uint256) public reduced;
    mapping(bytes32 id => uint256) public paid;
    /// Hash of a guarantee's record when it was first seen in a terminal status.
    mapping(bytes32 id => bytes32) public terminalHash;
    /// Successful calls per action name, so that a test can see the handler reaches every transition.
    mapping(string action => uint256) public successes;

    /// The slots issued so far, in order.
    uint256[] public issuedSlots;
    bool public issuerBSuspended;

    /// A call by someone the lifecycle does not name succeeded.
    bool public wrongActorSucceeded;
    /// A bank-side transition succeeded while its issuer was suspended.
    bool public suspendedIssuerActed;
    /// A guarantee changed while suspended, other than by `resume`.
    bool public changedWhileSuspended;
    /// A guarantee in a terminal status changed.
    bool public terminalChanged;
    /// An answer naming a claim or amendment other than the open one succeeded.
    bool public staleAnswerSucceeded;
    /// A time rule was broken: a claim before the effective date, an acceptance (of the guarantee or
    /// an amendment) after the fixed expiry, an amendment accepted over a later change of terms.
    bool public timeRuleBroken;
    /// Whether the pending amendment of a guarantee was proposed before a change of terms since.
    mapping(bytes32 id => bool) public termsChangedSinceProposal;
    /// What raised the first flag.
    string public firstViolation;

    struct Snapshot {
        bytes32[SLOTS] hash;
        IGuaranteeRegistry.Status[SLOTS] status;
        bool[SLOTS] pending;
    }

    constructor(
        IGuaranteeRegistry registry_,
        IConsortium consortium_,
        address admin_,
        address gateway_,
        address bankA_,
        address bankA2_,
        address bankB_,
        address suspendedBank_,
        address stranger_
    ) {
        registry = registry_;
        consortium = consortium_;
        admin = admin_;
        gateway = gateway_;
        bankA = bankA_;
        bankA2 = bankA2_;
        bankB = bankB_;
        suspendedBank = suspendedBank_;
        stranger = stranger_;
        for (uint256 slot = 0; slot < SLOTS; slot++) {
            ids[slot] = keccak256(abi.encodePacked(bankOf(slot), refOf(slot)));
        }
    }

    // ---------------------------------------------------------------- slots and actors

    function bankOf(uint256 slot) public pure returns (uint16) {
        return slot % 2 == 0 ? BANK_A : BANK_B;
    }

    function agencyOf(uint256 slot) public pure returns (bytes32) {
        return slot == SLOTS - 1 ? OTHER_AGENCY : AGENCY;
    }

    function refOf(uint256 slot) public pure returns (string memory) {
        bytes memory digits = "0123456789";
        return string(abi.encodePacked("INV-", digits[slot]));
    }

    /// Three calls in four take an issued slot whose status is in `wanted` (bit `i` for `Status(i)`),
    /// if there is one; the rest take any issued slot, so that refused and final states are tried
    /// too. Uniformly random slots would mostly name guarantees that do not exist or are over, and
    /// sequences would rarely get as far as a payment or an extension.
    function _slot(uint256 seed, uint16 wanted) private view returns (uint256) {
        uint256 count = issuedSlots.length;
        if (count == 0) return seed % SLOTS;
        uint256 pick = seed >> 8;
        if (seed % 4 == 0) return issuedSlots[pick % count];
        uint256[] memory matching = new uint256[](count);
        uint256 found;
        for (uint256 i = 0; i < count; i++) {
            IGuaranteeRegistry.Status status = registry.getGuarantee(ids[issuedSlots[i]]).status;
            if ((uint16(1) << uint8(status)) & wanted != 0) matching[found++] = issuedSlots[i];
        }
        return found == 0 ? issuedSlots[pick % count] : matching[pick % found];
    }

    /// One of the issuing bank's signers.
    function _signer(uint256 slot, uint256 seed) private view returns (address) {
        if (bankOf(slot) == BANK_B) return bankB;
        return seed % 2 == 0 ? bankA : bankA2;
    }

    /// Someone who must not move a bank-side transition of `slot`: the other bank, the suspended
    /// bank, the gateway, a stranger or the admin.
    function _wrongBankActor(uint256 slot, uint256 seed) private view returns (address) {
        uint256 pick = seed % 5;
        if (pick == 0) return bankOf(slot) == BANK_A ? bankB : (seed % 2 == 0 ? bankA : bankA2);
        if (pick == 1) return suspendedBank;
        if (pick == 2) return gateway;
        if (pick == 3) return stranger;
        return admin;
    }

    /// Someone who must not move an agency-side transition: a bank signer, a stranger or the admin.
    function _nonGateway(uint256 seed) private view returns (address) {
        uint256 pick = seed % 4;
        if (pick == 0) return bankA;
        if (pick == 1) return bankB;
        if (pick == 2) return stranger;
        return admin;
    }

    /// `x` if it lies in [min, max], else a value in that range derived from it; `min` if max < min.
    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        if (max <= min) return min;
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }

    function _terminal(IGuaranteeRegistry.Status status) private pure returns (bool) {
        return uint8(status) >= uint8(IGuaranteeRegistry.Status.Rejected);
    }

    // ---------------------------------------------------------------- before/after bookkeeping

    function _snapshot() private view returns (Snapshot memory snap) {
        for (uint256 slot = 0; slot < SLOTS; slot++) {
            IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(ids[slot]);
            snap.hash[slot] = keccak256(abi.encode(g));
            snap.status[slot] = g.status;
            snap.pending[slot] = g.amendmentPending;
        }
    }

    /// Compares every record with `before`; only `resumed` may leave Suspended.
    function _check(Snapshot memory before, bytes32 resumed) private {
        for (uint256 slot = 0; slot < SLOTS; slot++) {
            bytes32 id = ids[slot];
            IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
            bytes32 hash = keccak256(abi.encode(g));
            if (hash == before.hash[slot]) continue;
            if (_terminal(before.status[slot])) {
                terminalChanged = true;
                _violation("a terminal guarantee changed");
            }
            if (before.status[slot] == IGuaranteeRegistry.Status.Suspended && id != resumed) {
                changedWhileSuspended = true;
                _violation("a suspended guarantee changed");
            }
            if (_terminal(g.status) && terminalHash[id] == bytes32(0)) terminalHash[id] = hash;
        }
    }

    /// A change of terms or an end of `slot` succeeded: an amendment pending before it lapsed.
    function _lapses(uint256 slot, Snapshot memory before) private {
        if (!before.pending[slot]) return;
        if (registry.getGuarantee(ids[slot]).amendmentPending) {
            _timeRuleBroken("a pending amendment survived a change of terms or the end of the guarantee");
        } else {
            successes["lapse"] += 1;
        }
    }

    function _violation(string memory what) private {
        if (bytes(firstViolation).length == 0) firstViolation = what;
    }

    /// A bank-side transition of `slot` succeeded as its issuer's signer.
    function _bankActed(uint256 slot, string memory action) private {
        successes[action] += 1;
        if (bankOf(slot) == BANK_B && issuerBSuspended) {
            suspendedIssuerActed = true;
            _violation(string.concat("suspended issuer acted: ", action));
        }
    }

    function _staleAnswerSucceeded(string memory action) private {
        staleAnswerSucceeded = true;
        _violation(string.concat("stale answer succeeded: ", action));
    }

    function _timeRuleBroken(string memory what) private {
        timeRuleBroken = true;
        _violation(what);
    }

    /// The sequence an answer names: the open one (`current`), or, in one call in five, the one
    /// before it (seed ending in 7) or after it (ending in 8).
    function _answering(uint16 current, uint256 seed) private pure returns (uint16 named, bool stale) {
        uint256 pick = seed % 10;
        if (pick == 7 && current > 0) return (current - 1, true);
        if (pick == 8 && current < type(uint16).max) return (current + 1, true);
        return (current, false);
    }

    /// Whether a fixed expiry has passed.
    function _expired(IGuaranteeRegistry.Guarantee memory g) private view returns (bool) {
        return g.expiryType == IGuaranteeRegistry.ExpiryType.FIXD && block.timestamp > g.expiryDate;
    }

    function _wrongActorSucceeded(string memory action) private {
        wrongActorSucceeded = true;
        _violation(string.concat("wrong actor succeeded: ", action));
    }

    // ---------------------------------------------------------------- bank

    function issue(uint256 slotSeed, uint256 signerSeed, uint256 amountSeed, uint256 daysSeed, bool openEnded)
        external
    {
        uint256 slot = slotSeed % SLOTS;
        address signer = _signer(slot, signerSeed);
        // One in four takes effect up to 20 days later.
        uint64 today = uint64(block.timestamp) + (signerSeed % 4 == 1 ? uint64(_bound(daysSeed, 1, 20)) * 1 days : 0);
        IGuaranteeRegistry.IssueRequest memory request = IGuaranteeRegistry.IssueRequest({
            bankRef: refOf(slot),
            branchCode: "0001",
            guaranteeType: IGuaranteeRegistry.GuaranteeType(amountSeed % 6),
            amount: uint128(_bound(amountSeed, 1, 1e12)),
            issueDate: uint64(block.timestamp),
            effectiveDate: today,
            expiryType: openEnded ? IGuaranteeRegistry.ExpiryType.OPEN : IGuaranteeRegistry.ExpiryType.FIXD,
            expiryDate: openEnded ? 0 : today + uint64(_bound(daysSeed, 1, 400)) * 1 days,
            expiryConditionHash: bytes32(0),
            agencyCode: agencyOf(slot),
            projectNumber: "69029460012",
            contractNumber: "",
            applicantCommitment: keccak256(abi.encode("applicant", slot)),
            applicantType: IEgpTypes.ApplicantType.Juristic,
            documentHash: keccak256(abi.encode("document", slot))
        });
        Snapshot memory before = _snapshot();
        vm.prank(signer);
        try registry.issue(request) returns (bytes32) {
            _bankActed(slot, "issue");
            issuedSlots.push(slot);
        } catch {}
        _check(before, 0);
    }

    function cancel(uint256 slotSeed, uint256 signerSeed) external {
        uint256 slot = _slot(slotSeed, PENDING);
        address signer = _signer(slot, signerSeed);
        Snapshot memory before = _snapshot();
        vm.prank(signer);
        try registry.cancel(ids[slot], "CANCELLED") {
            _bankActed(slot, "cancel");
        } catch {}
        _check(before, 0);
    }

    function proposeAmendment(uint256 slotSeed, uint256 signerSeed, uint256 amountSeed, uint256 daysSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE);
        address signer = _signer(slot, signerSeed);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(ids[slot]);
        // Up to twice the current amount; some proposals fall below what was reduced or paid.
        uint128 newAmount = uint128(_bound(amountSeed, 1, uint256(g.amount) * 2 + 1));
        uint64 newExpiry = g.expiryType == IGuaranteeRegistry.ExpiryType.FIXD
            ? uint64(block.timestamp) + uint64(_bound(daysSeed, 1, 400)) * 1 days
            : 0;
        Snapshot memory before = _snapshot();
        vm.prank(signer);
        try registry.proposeAmendment(ids[slot], newAmount, newExpiry, keccak256(abi.encode(amountSeed))) returns (
            uint16
        ) {
            _bankActed(slot, "proposeAmendment");
            termsChangedSinceProposal[ids[slot]] = false;
        } catch {}
        _check(before, 0);
    }

    function pay(uint256 slotSeed, uint256 signerSeed, uint256 amountSeed) external {
        uint256 slot = _slot(slotSeed, OPEN_CLAIM);
        bytes32 id = ids[slot];
        address signer = _signer(slot, signerSeed);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        uint128 claimAmount = g.claimAmount;
        // Often the whole claim, so that some guarantees are paid out.
        uint128 amount = amountSeed % 3 == 0 ? claimAmount : uint128(_bound(amountSeed, 1, claimAmount));
        (uint16 sequence, bool stale) = _answering(g.claimCount, signerSeed >> 8);
        Snapshot memory before = _snapshot();
        vm.prank(signer);
        try registry.pay(id, sequence, amount, keccak256(abi.encode("GFMIS", amountSeed))) {
            _bankActed(slot, "pay");
            if (stale) _staleAnswerSucceeded("pay");
            paid[id] += amount;
            termsChangedSinceProposal[id] = true;
            _lapses(slot, before);
        } catch {}
        _check(before, 0);
    }

    function rejectClaim(uint256 slotSeed, uint256 signerSeed) external {
        uint256 slot = _slot(slotSeed, OPEN_CLAIM);
        address signer = _signer(slot, signerSeed);
        bytes32[] memory discrepancies = new bytes32[](2);
        discrepancies[0] = "LATE PRESENTATION";
        discrepancies[1] = "NO STATEMENT OF BREACH";
        (uint16 sequence, bool stale) = _answering(registry.getGuarantee(ids[slot]).claimCount, signerSeed >> 8);
        Snapshot memory before = _snapshot();
        vm.prank(signer);
        try registry.rejectClaim(ids[slot], sequence, discrepancies) {
            _bankActed(slot, "rejectClaim");
            if (stale) _staleAnswerSucceeded("rejectClaim");
        } catch {}
        _check(before, 0);
    }

    function extend(uint256 slotSeed, uint256 signerSeed, uint256 daysSeed) external {
        uint256 slot = _slot(slotSeed, EXTEND_OR_PAY);
        address signer = _signer(slot, signerSeed);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(ids[slot]);
        uint64 requested = g.claimRequestedExpiry;
        // Mostly at or after the requested date; sometimes a day short.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 extraDays = uint64(daysSeed % 31); // below 31
        uint64 newExpiry = daysSeed % 8 == 0 && requested > 1 days ? requested - 1 days : requested + extraDays * 1 days;
        (uint16 sequence, bool stale) = _answering(g.claimCount, signerSeed >> 8);
        Snapshot memory before = _snapshot();
        vm.prank(signer);
        try registry.extend(ids[slot], sequence, newExpiry) {
            _bankActed(slot, "extend");
            if (stale) _staleAnswerSucceeded("extend");
            termsChangedSinceProposal[ids[slot]] = true;
            _lapses(slot, before);
        } catch {}
        _check(before, 0);
    }

    // ---------------------------------------------------------------- agency, through the gateway

    function accept(uint256 slotSeed) external {
        uint256 slot = _slot(slotSeed, PENDING);
        bool expired = _expired(registry.getGuarantee(ids[slot]));
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.accept(ids[slot], agencyOf(slot)) {
            successes["accept"] += 1;
            if (expired) _timeRuleBroken("accepted after the fixed expiry");
            if (bankOf(slot) == BANK_B && issuerBSuspended) _wrongActorSucceeded("accept from a suspended issuer");
        } catch {}
        _check(before, 0);
    }

    function reject(uint256 slotSeed) external {
        uint256 slot = _slot(slotSeed, PENDING);
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.reject(ids[slot], agencyOf(slot), "WRONG PROJECT") {
            successes["reject"] += 1;
        } catch {}
        _check(before, 0);
    }

    function acceptAmendment(uint256 slotSeed, uint256 staleSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE);
        bytes32 id = ids[slot];
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        (uint16 sequence, bool stale) = _answering(g.amendmentCount, staleSeed);
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.acceptAmendment(id, agencyOf(slot), sequence) {
            successes["acceptAmendment"] += 1;
            if (stale) _staleAnswerSucceeded("acceptAmendment");
            if (_expired(g)) _timeRuleBroken("amendment accepted after the fixed expiry");
            if (termsChangedSinceProposal[id]) _timeRuleBroken("amendment accepted over a later change of terms");
        } catch {}
        _check(before, 0);
    }

    function rejectAmendment(uint256 slotSeed, uint256 staleSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE | OPEN_CLAIM);
        (uint16 sequence, bool stale) = _answering(registry.getGuarantee(ids[slot]).amendmentCount, staleSeed);
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.rejectAmendment(ids[slot], agencyOf(slot), sequence, "NOT AGREED") {
            successes["rejectAmendment"] += 1;
            if (stale) _staleAnswerSucceeded("rejectAmendment");
        } catch {}
        _check(before, 0);
    }

    function reduce(uint256 slotSeed, uint256 amountSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE);
        bytes32 id = ids[slot];
        uint128 outstanding = registry.getGuarantee(id).outstanding;
        uint128 by = uint128(_bound(amountSeed, 1, outstanding));
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.reduce(id, agencyOf(slot), by) {
            successes["reduce"] += 1;
            reduced[id] += by;
            termsChangedSinceProposal[id] = true;
            _lapses(slot, before);
        } catch {}
        _check(before, 0);
    }

    function release(uint256 slotSeed, uint256 daysSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE);
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 daysAgo = uint64(daysSeed % 30); // below 30
        uint64 endedAt = uint64(block.timestamp) - daysAgo * 1 days;
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.release(ids[slot], agencyOf(slot), endedAt) {
            successes["release"] += 1;
            _lapses(slot, before);
        } catch {}
        _check(before, 0);
    }

    function claim(uint256 slotSeed, uint256 amountSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(ids[slot]);
        uint128 outstanding = g.outstanding;
        uint128 amount = amountSeed % 3 == 0 ? outstanding : uint128(_bound(amountSeed, 1, outstanding));
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.claim(ids[slot], agencyOf(slot), amount, keccak256(abi.encode("demand", amountSeed))) returns (
            uint16
        ) {
            successes["claim"] += 1;
            _claimedInTime(g);
        } catch {}
        _check(before, 0);
    }

    function claimExtendOrPay(uint256 slotSeed, uint256 amountSeed, uint256 daysSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE);
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(ids[slot]);
        uint128 amount = uint128(_bound(amountSeed, 1, g.outstanding));
        uint64 requested = g.expiryDate + uint64(_bound(daysSeed, 1, 365)) * 1 days;
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.claimExtendOrPay(ids[slot], agencyOf(slot), amount, requested, "demand") returns (uint16) {
            successes["claimExtendOrPay"] += 1;
            _claimedInTime(g);
        } catch {}
        _check(before, 0);
    }

    /// A claim on `g` (as it was before the claim) succeeded: it must have been in force.
    function _claimedInTime(IGuaranteeRegistry.Guarantee memory g) private {
        if (block.timestamp < g.effectiveDate) _timeRuleBroken("claim before the effective date");
        if (_expired(g)) _timeRuleBroken("claim after the fixed expiry");
    }

    function withdrawClaim(uint256 slotSeed) external {
        uint256 slot = _slot(slotSeed, OPEN_CLAIM);
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.withdrawClaim(ids[slot], agencyOf(slot)) {
            successes["withdrawClaim"] += 1;
        } catch {}
        _check(before, 0);
    }

    function supersede(uint256 slotSeed, uint256 replacementSeed) external {
        uint256 slot = _slot(slotSeed, ACTIVE);
        bytes32 replacement = ids[_slot(replacementSeed, ACTIVE)];
        Snapshot memory before = _snapshot();
        vm.prank(gateway);
        try registry.supersede(ids[slot], agencyOf(slot), replacement) {
            successes["supersede"] += 1;
            _lapses(slot, before);
        } catch {}
        _check(before, 0);
    }

    // ---------------------------------------------------------------- admin, anyone, time

    function suspend(uint256 slotSeed) external {
        uint256 slot = _slot(slotSeed, LIVE);
        Snapshot memory before = _snapshot();
        vm.prank(admin);
        try registry.suspend(ids[slot], "COURT ORDER") {
            successes["suspend"] += 1;
        } catch {}
        _check(before, 0);
    }

    function resume(uint256 slotSeed) external {
        uint256 slot = _slot(slotSeed, SUSPENDED);
        Snapshot memory before = _snapshot();
        vm.prank(admin);
        try registry.resume(ids[slot], "ORDER LIFTED") {
            successes["resume"] += 1;
        } catch {}
        _check(before, ids[slot]);
    }

    function expire(uint256 slotSeed) external {
        uint256 slot = _slot(slotSeed, PENDING | ACTIVE);
        Snapshot memory before = _snapshot();
        vm.prank(stranger);
        try registry.expire(ids[slot]) {
            successes["expire"] += 1;
            _lapses(slot, before);
        } catch {}
        _check(before, 0);
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + _bound(secondsSeed, 1 hours, 120 days));
    }

    /// The admin suspends or resumes bank 004 as an issuer.
    function toggleIssuerB() external {
        vm.prank(admin);
        if (issuerBSuspended) consortium.resumeIssuer(BANK_B);
        else consortium.suspendIssuer(BANK_B, "FRAUD INVESTIGATION");
        issuerBSuspended = !issuerBSuspended;
        successes["toggleIssuerB"] += 1;
    }

    // ---------------------------------------------------------------- wrong actors

    /// Another bank, the suspended bank, the gateway, a stranger or the admin tries a bank-side
    /// transition with otherwise plausible arguments.
    function wrongBank(uint256 slotSeed, uint256 actionSeed, uint256 actorSeed) external {
        uint256 slot = _slot(slotSeed, LIVE);
        bytes32 id = ids[slot];
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        address actor = _wrongBankActor(slot, actorSeed);
        bytes32[] memory discrepancies = new bytes32[](1);
        discrepancies[0] = "LATE PRESENTATION";
        Snapshot memory before = _snapshot();
        uint256 action = actionSeed % 5;
        bool ok;
        vm.prank(actor);
        if (action == 0) {
            try registry.cancel(id, "CANCELLED") {
                ok = true;
            } catch {}
        } else if (action == 1) {
            try registry.proposeAmendment(id, g.amount + 1, g.expiryDate + 30 days, "terms") returns (uint16) {
                ok = true;
            } catch {}
        } else if (action == 2) {
            try registry.pay(id, g.claimCount, g.claimAmount == 0 ? 1 : g.claimAmount, "GFMIS") {
                ok = true;
            } catch {}
        } else if (action == 3) {
            try registry.rejectClaim(id, g.claimCount, discrepancies) {
                ok = true;
            } catch {}
        } else {
            try registry.extend(id, g.claimCount, g.claimRequestedExpiry) {
                ok = true;
            } catch {}
        }
        if (ok) _wrongActorSucceeded("bank-side transition");
        _check(before, 0);
    }

    /// A bank signer, a stranger or the admin acts for the agency, or the gateway names an agency
    /// that is not the beneficiary.
    function wrongAgency(uint256 slotSeed, uint256 actionSeed, uint256 actorSeed) external {
        uint256 slot = _slot(slotSeed, LIVE);
        bytes32 id = ids[slot];
        IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
        uint128 outstanding = g.outstanding;
        uint128 claimable = outstanding == 0 ? 1 : outstanding;
        bool viaGateway = actorSeed % 2 == 0;
        address actor = viaGateway ? gateway : _nonGateway(actorSeed / 2);
        bytes32 agency = agencyOf(slot);
        if (viaGateway) agency = agency == AGENCY ? OTHER_AGENCY : AGENCY;
        Snapshot memory before = _snapshot();
        uint256 action = actionSeed % 6;
        bool ok;
        vm.prank(actor);
        if (action == 0) {
            try registry.accept(id, agency) {
                ok = true;
            } catch {}
        } else if (action == 1) {
            try registry.claim(id, agency, claimable, "demand") returns (uint16) {
                ok = true;
            } catch {}
        } else if (action == 2) {
            try registry.release(id, agency, uint64(block.timestamp)) {
                ok = true;
            } catch {}
        } else if (action == 3) {
            try registry.reduce(id, agency, 1) {
                ok = true;
            } catch {}
        } else if (action == 4) {
            try registry.acceptAmendment(id, agency, g.amendmentCount) {
                ok = true;
            } catch {}
        } else {
            try registry.withdrawClaim(id, agency) {
                ok = true;
            } catch {}
        }
        if (ok) _wrongActorSucceeded("agency-side transition");
        _check(before, 0);
    }

    /// A bank signer, the gateway or a stranger tries to suspend or resume a guarantee.
    function wrongAdmin(uint256 slotSeed, uint256 actorSeed, bool resumeIt) external {
        bytes32 id = ids[_slot(slotSeed, LIVE | SUSPENDED)];
        uint256 pick = actorSeed % 4;
        address actor = pick == 0 ? bankA : pick == 1 ? bankB : pick == 2 ? gateway : stranger;
        Snapshot memory before = _snapshot();
        bool ok;
        vm.prank(actor);
        if (resumeIt) {
            try registry.resume(id, "ORDER LIFTED") {
                ok = true;
            } catch {}
        } else {
            try registry.suspend(id, "COURT ORDER") {
                ok = true;
            } catch {}
        }
        if (ok) _wrongActorSucceeded("admin transition");
        _check(before, 0);
    }
}
