-- An amendment can lapse unanswered (status 'Lapsed'): a payment, an extension or a reduction
-- changed the terms it was proposed against, or the guarantee ended (a release, an expiry, a
-- supersession, a payout). `lapse_cause` names that action as IGuaranteeRegistry.Action spells it
-- ('Pay', 'Extend', 'Reduce', 'Release', 'Expire', 'Supersede'); NULL unless the status is 'Lapsed'.
ALTER TABLE guarantee_amendments ADD COLUMN lapse_cause TEXT;
