// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {FuzzSelector} from "../utils/Test.sol";
import {IGuaranteeRegistry} from "../../src/interfaces/IGuaranteeRegistry.sol";
import {GuaranteeHandler} from "./GuaranteeHandler.sol";

/// @notice Properties of the e-LG registry that hold after any sequence of transitions by any actors.
contract GuaranteeInvariants is Fixture {
    GuaranteeHandler internal handler;

    function setUp() public override {
        super.setUp();
        // deployCode rather than `new`: this suite's initcode would otherwise carry the handler's too
        // and exceed the 49,152-byte initcode limit (compiler warning 3860).
        handler = GuaranteeHandler(
            vm.deployCode(
                "GuaranteeHandler.sol:GuaranteeHandler",
                abi.encode(registry, consortium, admin, gateway, bankA, bankA2, bankB, suspendedBank, stranger)
            )
        );
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](25);
        selectors[0] = GuaranteeHandler.issue.selector;
        selectors[1] = GuaranteeHandler.cancel.selector;
        selectors[2] = GuaranteeHandler.proposeAmendment.selector;
        selectors[3] = GuaranteeHandler.pay.selector;
        selectors[4] = GuaranteeHandler.rejectClaim.selector;
        selectors[5] = GuaranteeHandler.extend.selector;
        selectors[6] = GuaranteeHandler.accept.selector;
        selectors[7] = GuaranteeHandler.reject.selector;
        selectors[8] = GuaranteeHandler.acceptAmendment.selector;
        selectors[9] = GuaranteeHandler.rejectAmendment.selector;
        selectors[10] = GuaranteeHandler.reduce.selector;
        selectors[11] = GuaranteeHandler.release.selector;
        selectors[12] = GuaranteeHandler.claim.selector;
        selectors[13] = GuaranteeHandler.claimExtendOrPay.selector;
        selectors[14] = GuaranteeHandler.withdrawClaim.selector;
        selectors[15] = GuaranteeHandler.supersede.selector;
        selectors[16] = GuaranteeHandler.suspend.selector;
        selectors[17] = GuaranteeHandler.resume.selector;
        selectors[18] = GuaranteeHandler.expire.selector;
        selectors[19] = GuaranteeHandler.warp.selector;
        selectors[20] = GuaranteeHandler.toggleIssuerB.selector;
        selectors[21] = GuaranteeHandler.wrongBank.selector;
        selectors[22] = GuaranteeHandler.wrongAgency.selector;
        selectors[23] = GuaranteeHandler.wrongAdmin.selector;
        // Issuing twice as often: a sequence can only do something once its guarantees exist.
        selectors[24] = GuaranteeHandler.issue.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// A slot seed that makes the handler take the `k`-th issued slot in the status it looks for.
    function nth(uint256 k) internal pure returns (uint256) {
        return 1 + (k << 8);
    }

    /// The handler itself works: a scripted sequence reaches every transition as the right actor,
    /// wrong actors get nowhere, and every property holds along the way. (Were every handler call
    /// to revert, the invariant would pass without having tested anything.)
    function test_handler_reachesEveryTransition() public {
        for (uint256 slot = 0; slot < handler.SLOTS(); slot++) {
            handler.issue(slot, 0, 1_000_000_000, 100, false); // fixed expiry 100 days out
        }
        handler.cancel(nth(0), 0); // slot 0
        handler.reject(nth(0)); // slot 1
        handler.accept(nth(0)); // slot 2
        handler.accept(nth(0)); // slot 3
        handler.accept(nth(0)); // slot 4; slot 5 stays pending
        handler.proposeAmendment(nth(0), 1, 1_500_000_000, 200);
        handler.acceptAmendment(nth(0), 2); // names amendment 1, the pending one
        handler.proposeAmendment(nth(0), 0, 1_200_000_000, 200);
        handler.acceptAmendment(nth(0), 7); // names amendment 1: stale, refused
        handler.rejectAmendment(nth(0), 2);
        handler.proposeAmendment(nth(0), 0, 1_200_000_000, 200);
        handler.reduce(nth(0), 5); // amendment 3 lapses
        handler.claim(nth(0), 1);
        handler.pay(nth(0), 8 << 8, 3); // names claim 2 while claim 1 is open: stale, refused
        handler.pay(nth(0), 1, 3);
        handler.claim(nth(0), 1);
        handler.rejectClaim(nth(0), 0);
        handler.claim(nth(0), 1);
        handler.withdrawClaim(nth(0));
        handler.claimExtendOrPay(nth(0), 1, 10);
        handler.extend(nth(0), 0, 1);
        handler.suspend(nth(0));
        handler.wrongBank(nth(0), 0, 1);
        handler.resume(nth(0));
        handler.supersede(nth(0), nth(1)); // slot 2 replaced by slot 3
        handler.proposeAmendment(nth(0), 1, 1_100_000_000, 200); // slot 3
        handler.release(nth(0), 0); // slot 3; its amendment lapses
        handler.claim(nth(0), 0); // slot 4, all of it
        handler.pay(nth(0), 0, 0); // all of it: PaidOut
        handler.warp(120 days);
        handler.warp(120 days);
        handler.expire(nth(0)); // slot 5, still pending, past its expiry
        handler.toggleIssuerB();
        for (uint256 i = 0; i < 20; i++) {
            handler.wrongBank(i, i, i / 5);
            handler.wrongAgency(i, i, i / 6);
            handler.wrongAdmin(i, i, i % 2 == 0);
        }

        string[21] memory actions = [
            "issue",
            "cancel",
            "reject",
            "accept",
            "proposeAmendment",
            "acceptAmendment",
            "rejectAmendment",
            "reduce",
            "claim",
            "pay",
            "rejectClaim",
            "withdrawClaim",
            "claimExtendOrPay",
            "extend",
            "suspend",
            "resume",
            "supersede",
            "release",
            "expire",
            "toggleIssuerB",
            "lapse"
        ];
        for (uint256 i = 0; i < actions.length; i++) {
            assertTrue(handler.successes(actions[i]) > 0, actions[i]);
        }
        IGuaranteeRegistry.Status[6] memory expected = [
            IGuaranteeRegistry.Status.Cancelled,
            IGuaranteeRegistry.Status.Rejected,
            IGuaranteeRegistry.Status.Superseded,
            IGuaranteeRegistry.Status.Released,
            IGuaranteeRegistry.Status.PaidOut,
            IGuaranteeRegistry.Status.Expired
        ];
        for (uint256 slot = 0; slot < handler.SLOTS(); slot++) {
            assertEq(uint256(statusOf(handler.ids(slot))), uint256(expected[slot]), "final status");
        }
        invariant_guaranteeRules();
    }

    /// Every property below, for every guarantee, after every call of every sequence. One entry
    /// point rather than one per property: forge 1.7 runs a separate campaign per `invariant_`
    /// function, replaying the same call sequences for each, so eight functions would cost eight
    /// times as much for no more coverage. The assertion message names the property that failed.
    function invariant_guaranteeRules() public view {
        assertOnlyIssuingBankActs();
        assertNothingChangesWhileSuspended();
        assertTrue(!handler.terminalChanged(), handler.firstViolation());
        assertTrue(!handler.staleAnswerSucceeded(), handler.firstViolation());
        assertTrue(!handler.timeRuleBroken(), handler.firstViolation());
        for (uint256 slot = 0; slot < handler.SLOTS(); slot++) {
            bytes32 id = handler.ids(slot);
            IGuaranteeRegistry.Guarantee memory g = registry.getGuarantee(id);
            assertOutstandingAtMostAmount(g);
            assertTotalPaidAtMostAmount(g);
            assertBooksBalance(id, g);
            assertOpenClaimConsistent(g);
            assertTerminalStatusNeverChanges(id, g);
            assertNoPendingAmendmentWhenOver(g);
            assertSupersessionLinksBothWays(id, g);
        }
    }

    function assertOutstandingAtMostAmount(IGuaranteeRegistry.Guarantee memory g) internal pure {
        assertLe(g.outstanding, g.amount, "outstanding <= amount");
    }

    function assertTotalPaidAtMostAmount(IGuaranteeRegistry.Guarantee memory g) internal pure {
        assertLe(g.totalPaid, g.amount, "totalPaid <= amount");
    }

    /// outstanding = amount - reductions - payments until a full release sets it to 0, and the
    /// registry's totalPaid is the sum of the payments the handler made.
    function assertBooksBalance(bytes32 id, IGuaranteeRegistry.Guarantee memory g) internal view {
        assertEq(g.totalPaid, handler.paid(id), "totalPaid = sum of payments");
        if (g.status == IGuaranteeRegistry.Status.Released) {
            assertEq(g.outstanding, 0, "released: nothing outstanding");
        } else {
            assertEq(
                uint256(g.outstanding) + handler.reduced(id) + handler.paid(id),
                g.amount,
                "outstanding + reductions + payments = amount"
            );
        }
    }

    /// An open claim exists exactly in the claim statuses (also while suspended from one), and is
    /// never more than what is outstanding.
    function assertOpenClaimConsistent(IGuaranteeRegistry.Guarantee memory g) internal pure {
        IGuaranteeRegistry.Status status =
            g.status == IGuaranteeRegistry.Status.Suspended ? g.statusBeforeSuspension : g.status;
        bool claimOpen = status == IGuaranteeRegistry.Status.Claimed || status == IGuaranteeRegistry.Status.ExtendOrPay;
        assertEq(g.claimAmount != 0, claimOpen, "claim open iff Claimed/ExtendOrPay");
        assertLe(g.claimAmount, g.outstanding, "claim <= outstanding");
        assertEq(
            g.claimRequestedExpiry != 0, status == IGuaranteeRegistry.Status.ExtendOrPay, "requested expiry iff EOP"
        );
    }

    /// Rejected, Cancelled, Released, Expired, PaidOut and Superseded are final: the record is the
    /// one the handler saw when it first reached that status (the handler also flags any change
    /// during a call).
    function assertTerminalStatusNeverChanges(bytes32 id, IGuaranteeRegistry.Guarantee memory g) internal view {
        bytes32 recorded = handler.terminalHash(id);
        if (recorded != bytes32(0)) assertEq(keccak256(abi.encode(g)), recorded, "terminal record unchanged");
    }

    /// A guarantee that is over has no amendment awaiting the agency: it lapsed when the guarantee ended.
    function assertNoPendingAmendmentWhenOver(IGuaranteeRegistry.Guarantee memory g) internal pure {
        if (uint8(g.status) >= uint8(IGuaranteeRegistry.Status.Rejected)) {
            assertTrue(!g.amendmentPending, "no pending amendment in a terminal status");
            assertEq(g.pendingTermsHash, bytes32(0), "pending terms cleared");
        }
    }

    /// No bank-side transition by anyone but the issuing bank's signers, none while the issuer is
    /// suspended, and no agency-side or admin transition by the wrong actor.
    function assertOnlyIssuingBankActs() internal view {
        assertTrue(!handler.wrongActorSucceeded(), handler.firstViolation());
        assertTrue(!handler.suspendedIssuerActed(), handler.firstViolation());
    }

    /// Nothing but resume changes a suspended guarantee.
    function assertNothingChangesWhileSuspended() internal view {
        assertTrue(!handler.changedWhileSuspended(), handler.firstViolation());
    }

    /// A superseded guarantee names its replacement, and the replacement names it back.
    function assertSupersessionLinksBothWays(bytes32 id, IGuaranteeRegistry.Guarantee memory g) internal view {
        if (g.status == IGuaranteeRegistry.Status.Superseded) {
            assertTrue(g.replacedBy != bytes32(0), "superseded has a replacement");
        }
        if (g.replacedBy != bytes32(0)) {
            assertEq(registry.getGuarantee(g.replacedBy).replaces, id, "replacement points back");
        }
        if (g.replaces != bytes32(0)) {
            assertEq(registry.getGuarantee(g.replaces).replacedBy, id, "replaced points forward");
        }
    }
}
