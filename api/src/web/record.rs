//! The verification pages' HTML: a guarantee (status in words and whether it is valid today,
//! bank, agency, type, amounts, effective date and expiry, the documents recorded on chain, where on chain it all
//! comes from and when it was read), a confidential guarantee (only that it exists and whether
//! it is valid), and a credit confirmation. `#record` is what the page's script swaps when the
//! record changes; the document check and the QR code sit outside it.

use std::fmt::Write as _;

use chrono::NaiveDate;
use egp_store::{ConfirmationStatus, ExpiryType};

use super::render::{both, escape, field, layout, sentence};
use super::words::{self, Tone, Words};
use crate::Result;
use crate::db::{AgencyRow, AmendmentRow, ConfirmationRow, GuaranteeRow, IssuerRow, Marker, ProvenanceRow};
use crate::schema::guarantee::Guarantee;
use crate::schema::types::{address, hex0x, parse_u64, today};
use crate::schema::verify::check_guarantee;

/// What a page shows, read in one snapshot.
#[allow(clippy::large_enum_variant, reason = "one per page request, never held in a collection")]
pub(crate) enum Record {
    /// A guarantee the `verify` role may see.
    Guarantee {
        row: GuaranteeRow,
        amendments: Vec<AmendmentRow>,
        bank: Option<IssuerRow>,
        agency: Option<AgencyRow>,
        marker: Option<Marker>,
    },
    /// A guarantee it may not see (a tender guarantee): that it exists and whether it is valid.
    Confidential { row: GuaranteeRow, marker: Option<Marker> },
    /// A credit confirmation.
    Confirmation { row: ConfirmationRow, bank: Option<IssuerRow>, marker: Option<Marker> },
}

/// A document recorded on chain: its labels and SHA-256.
struct Document {
    th: String,
    en: String,
    hash: Vec<u8>,
}

const G: &str = "guarantees";
const C: &str = "credit_confirmations";

/// The whole page of `record`, served at `path`, whose public URL is `url` (when known).
pub(crate) fn page(record: &Record, path: &str, url: Option<&str>) -> Result<String> {
    let mut body = String::new();
    let provenance = match record {
        Record::Guarantee { row, .. } | Record::Confidential { row, .. } => row.provenance(),
        Record::Confirmation { row, .. } => row.provenance(),
    };
    let _ = writeln!(
        body,
        "<main id=\"record\" data-watch=\"{}/watch\" data-version=\"{}\">",
        escape(path),
        super::page::version(&provenance)
    );
    let (title, documents) = match record {
        Record::Guarantee { row, amendments, bank, agency, marker } => {
            guarantee(&mut body, row, amendments, bank.as_ref(), agency.as_ref(), marker.as_ref())?
        }
        Record::Confidential { row, marker } => confidential(&mut body, row, marker.as_ref())?,
        Record::Confirmation { row, bank, marker } => confirmation(&mut body, row, bank.as_ref(), marker.as_ref())?,
    };
    body.push_str("</main>\n<section class=\"panel\" id=\"check\">\n");
    if !documents.is_empty() {
        check_form(&mut body, matches!(record, Record::Confirmation { .. }));
    }
    qr(&mut body, path, url);
    body.push_str("</section>\n");
    Ok(layout(title.th, title.en, true, &body))
}

fn heading(out: &mut String, title: Words) {
    let _ = writeln!(out, "<h1>{}<span class=\"en\" lang=\"en\">{}</span></h1>", escape(title.th), escape(title.en));
}

/// The status card: the status in words, then whether the record is valid today and why not.
/// `day` is the date the validity is judged on.
fn status(out: &mut String, (words, tone): (Words, Tone), day: NaiveDate, valid: bool, reasons: &[(String, String)]) {
    let (day_th, day_en) = words::date(egp_contracts::dates::start_of_day(day));
    let _ = writeln!(out, "<section class=\"card status {}\" aria-live=\"polite\">", tone.class());
    out.push_str("<p class=\"label\">สถานะ · <span lang=\"en\">Status</span></p>\n");
    let _ = writeln!(out, "<p class=\"words\" id=\"status-th\">{}</p>", escape(words.th));
    let _ = writeln!(out, "<p class=\"words-en\" id=\"status\" lang=\"en\">{}</p>", escape(words.en));
    let (th, en) = if valid {
        (format!("ใช้ได้ ณ วันนี้ ({day_th})"), format!("Valid today ({day_en})"))
    } else {
        (format!("ใช้ไม่ได้ ณ วันนี้ ({day_th})"), format!("Not valid today ({day_en})"))
    };
    let _ = writeln!(
        out,
        "<p class=\"validity\" id=\"validity\" data-valid=\"{valid}\">{} · <span lang=\"en\">{}</span></p>",
        escape(&th),
        escape(&en)
    );
    if !reasons.is_empty() {
        out.push_str("<ul class=\"reasons\" id=\"reasons\">\n");
        for (th, en) in reasons {
            let _ = writeln!(out, "<li>{}</li>", both(th, en));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn guarantee(
    out: &mut String,
    row: &GuaranteeRow,
    amendments: &[AmendmentRow],
    bank: Option<&IssuerRow>,
    agency: Option<&AgencyRow>,
    marker: Option<&Marker>,
) -> Result<(Words, Vec<Document>)> {
    let title = Words {
        th: "หนังสือค้ำประกันอิเล็กทรอนิกส์", en: "Electronic letter of guarantee (e-LG)"
    };
    heading(out, title);
    let day = today(marker);
    let reasons = check_guarantee(&Guarantee(row.clone()), None, None, None, None, day)?;
    let reasons: Vec<(String, String)> =
        reasons.into_iter().map(|r| (words::reason_th(r.code).to_owned(), sentence(&r.message))).collect();
    status(out, words::guarantee_status(row.status), day, reasons.is_empty(), &reasons);

    out.push_str("<section class=\"card\">\n<dl>\n");
    row_bank(out, row.bank_code, bank);
    row_text(out, "bank-ref", "เลขที่อ้างอิงของธนาคาร", "Bank reference", &row.bank_ref);
    let agency_name = agency.map_or(String::new(), |a| format!(" {}", a.name));
    row_text(out, "agency", "หน่วยงานผู้รับหลักประกัน", "Beneficiary agency", &format!("{}{agency_name}", row.agency_code));
    let kind = words::guarantee_type(row.guarantee_type);
    field(out, "type", "ประเภท", "Type", &both(kind.th, &format!("{} ({})", kind.en, row.guarantee_type)));
    row_amount(out, "amount", "วงเงินค้ำประกัน", "Amount", row.amount.0);
    row_amount(out, "outstanding", "วงเงินคงเหลือ", "Outstanding", row.outstanding.0);
    let (issued_th, issued_en) = words::date(parse_u64(G, &row.issue_date)?);
    field(out, "issued", "วันที่ออก", "Issued", &both(&issued_th, &issued_en));
    // No claim can be made before it (the registry refuses one).
    let (effective_th, effective_en) = words::date(parse_u64(G, &row.effective_date)?);
    field(out, "effective", "มีผลตั้งแต่", "In force from", &both(&effective_th, &effective_en));
    let expiry = match row.expiry_type {
        ExpiryType::FIXD => {
            let (th, en) = words::date(parse_u64(G, &row.expiry_date)?);
            both(&th, &en)
        }
        ExpiryType::OPEN => both("ไม่มีกำหนดวันสิ้นสุด", "Open-ended: no fixed expiry"),
        ExpiryType::COND => both("สิ้นสุดตามเงื่อนไขที่ระบุในหนังสือ", "Ends on the condition the e-LG states"),
    };
    field(out, "expiry", "วันสิ้นสุด", "Expiry", &expiry);
    if row.amendment_pending {
        let text = both(
            "มีคำขอแก้ไขรอหน่วยงานตอบรับ เงื่อนไขข้างต้นยังมีผล",
            "An amendment awaits the agency; the terms above stay in force",
        );
        field(out, "amendment", "คำขอแก้ไข", "Amendment", &text);
    }
    for (id, th, en, link) in [
        ("replaces", "แทนที่ฉบับ", "Replaces", &row.replaces),
        ("replaced-by", "ถูกแทนที่โดย", "Replaced by", &row.replaced_by),
    ] {
        if let Some(other) = link {
            let other = hex0x(other);
            field(out, id, th, en, &format!("<a class=\"mono\" href=\"/v/{other}\">{other}</a>"));
        }
    }
    out.push_str("</dl>\n</section>\n");
    provenance(out, &row.provenance(), marker);

    let mut documents = vec![Document {
        th: "หนังสือค้ำประกันฉบับที่ธนาคารออก".into(),
        en: "the e-LG as the bank issued it".into(),
        hash: row.document_hash.clone(),
    }];
    // Every amendment's document is a document of the guarantee, whatever became of it: a
    // visitor holding a lapsed proposal learns that it is genuine and that it never took effect.
    for amendment in amendments {
        let state = words::amendment_status(amendment.status, amendment.lapse_cause);
        documents.push(Document {
            th: format!("เอกสารคำขอแก้ไขครั้งที่ {} ({})", amendment.sequence, state.th),
            en: format!("amendment {} ({})", amendment.sequence, state.en),
            hash: amendment.terms_hash.clone(),
        });
    }
    documents_card(out, &documents);
    Ok((title, documents))
}

fn confidential(out: &mut String, row: &GuaranteeRow, marker: Option<&Marker>) -> Result<(Words, Vec<Document>)> {
    let title = Words {
        th: "หนังสือค้ำประกัน (รายละเอียดเป็นความลับ)", en: "Guarantee (details confidential)"
    };
    heading(out, title);
    let day = today(marker);
    let valid = check_guarantee(&Guarantee(row.clone()), None, None, None, None, day)?.is_empty();
    let words = if valid {
        (Words { th: "มีอยู่และใช้ได้", en: "Exists and is valid" }, Tone::Good)
    } else {
        (Words { th: "มีอยู่ แต่ใช้ไม่ได้", en: "Exists but is not valid" }, Tone::Bad)
    };
    status(out, words, day, valid, &[]);
    out.push_str("<section class=\"card\">\n<p class=\"notice\">รายละเอียดของหลักประกันประเภทนี้เปิดเผยได้เฉพาะแก่ e-GP และธนาคารผู้ออก \
        <span lang=\"en\">The details of this kind of guarantee are confidential until e-GP's rules allow them: only e-GP and the \
        issuing bank see them.</span></p>\n<dl>\n");
    read_at(out, marker);
    out.push_str("</dl>\n</section>\n");
    Ok((title, Vec::new()))
}

fn confirmation(
    out: &mut String,
    row: &ConfirmationRow,
    bank: Option<&IssuerRow>,
    marker: Option<&Marker>,
) -> Result<(Words, Vec<Document>)> {
    let title = Words {
        th: "หนังสือรับรองวงเงินสินเชื่ออิเล็กทรอนิกส์", en: "Electronic credit confirmation"
    };
    heading(out, title);
    let valid_until = parse_u64(C, &row.valid_until)?;
    let day = today(marker);
    let lapsed = valid_until < egp_contracts::dates::start_of_day(day);
    let valid = row.status == ConfirmationStatus::Valid && !lapsed;
    status(out, words::confirmation_status(row.status, lapsed), day, valid, &[]);
    out.push_str("<section class=\"card\">\n<dl>\n");
    row_bank(out, row.bank_code, bank);
    row_text(out, "bank-ref", "เลขที่อ้างอิงของธนาคาร", "Bank reference", &row.bank_ref);
    row_text(out, "office", "สำนักงานที่รับรอง", "Certifying office", &row.certifying_office);
    let purpose = words::purpose(row.purpose);
    field(out, "purpose", "วัตถุประสงค์", "Purpose", &both(purpose.th, purpose.en));
    row_amount(out, "credit-line", "วงเงินสินเชื่อที่อนุมัติ", "Approved credit line", row.credit_line.0);
    for (id, th, en, at) in [
        ("as-of", "ณ วันที่", "As of", &row.as_of_date),
        ("issued", "วันที่ออก", "Issued", &row.issued_at),
        ("valid-until", "ใช้ได้ถึง", "Valid until", &row.valid_until),
    ] {
        let (day_th, day_en) = words::date(parse_u64(C, at)?);
        field(out, id, th, en, &both(&day_th, &day_en));
    }
    out.push_str("</dl>\n</section>\n");
    provenance(out, &row.provenance(), marker);
    let documents = vec![Document {
        th: "หนังสือรับรองฉบับที่ธนาคารออก".into(),
        en: "the credit confirmation as the bank issued it".into(),
        hash: row.document_hash.clone(),
    }];
    documents_card(out, &documents);
    Ok((title, documents))
}

fn row_text(out: &mut String, id: &str, th: &str, en: &str, value: &str) {
    field(out, id, th, en, &escape(value));
}

fn row_bank(out: &mut String, code: i32, bank: Option<&IssuerRow>) {
    let name = bank.map_or(String::new(), |b| format!(" {}", b.name));
    row_text(out, "bank", "ธนาคารผู้ออก", "Issuing bank", &format!("{code:03}{name}"));
}

fn row_amount(out: &mut String, id: &str, th: &str, en: &str, satang: u128) {
    let (amount_th, amount_en) = words::amount(satang);
    field(out, id, th, en, &both(&amount_th, &amount_en));
}

/// Where the record's state comes from on chain, and when and at which block the page read it.
fn provenance(out: &mut String, p: &ProvenanceRow, marker: Option<&Marker>) {
    out.push_str("<section class=\"card\">\n<h2>ที่มาบนบล็อกเชน<span class=\"en\" lang=\"en\">Where this comes from on chain</span></h2>\n<dl>\n");
    let (time_th, time_en) = words::date_time(p.block_timestamp.max(0) as u64);
    let block = both(&format!("บล็อก {} · {time_th}", p.block_number), &format!("block {} · {time_en}", p.block_number));
    field(out, "changed-block", "เปลี่ยนแปลงล่าสุด", "Last change", &block);
    let transaction = format!(
        "<span class=\"mono\" id=\"transaction\">{}</span><span class=\"en\" lang=\"en\">log {} in block {}</span>",
        hex0x(&p.transaction_hash),
        p.log_index,
        p.block_number
    );
    field(out, "changed-transaction", "ธุรกรรม", "Transaction", &transaction);
    let finality = if p.is_final {
        format!(
            "<span class=\"final\">{}</span>",
            both("สิ้นสุดแล้ว ย้อนกลับไม่ได้", "Final: this block cannot be reorganised away")
        )
    } else {
        format!(
            "<span class=\"unfinal\">{}</span>",
            both(
                "ยังไม่สิ้นสุด อาจเปลี่ยนได้หากเครือข่ายจัดเรียงบล็อกใหม่",
                "Not final yet: a reorganisation of the chain could still undo it"
            )
        )
    };
    finality_row(out, &finality, p.is_final);
    field(
        out,
        "contract",
        "เครือข่ายและสัญญา",
        "Chain and contract",
        &format!(
            "<span class=\"en\" lang=\"en\">chain {}</span><span class=\"mono\">{}</span>",
            p.chain_id,
            address(&p.contract_address)
        ),
    );
    read_at(out, marker);
    out.push_str("</dl>\n</section>\n");
}

fn finality_row(out: &mut String, html: &str, is_final: bool) {
    let _ = writeln!(
        out,
        "<div><dt>ความสิ้นสุดของบล็อก<span class=\"en\" lang=\"en\">Finality</span></dt><dd id=\"finality\" data-final=\"{is_final}\">{html}</dd></div>"
    );
}

/// The indexed block the page was read at, and when.
fn read_at(out: &mut String, marker: Option<&Marker>) {
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let (now_th, now_en) = words::date_time(now);
    let text = match marker {
        Some(m) => both(
            &format!("บล็อก {} ของเครือข่าย {} · อ่านเมื่อ {now_th}", m.block_number, m.chain_id),
            &format!("indexed block {} of chain {} · read {now_en}", m.block_number, m.chain_id),
        ),
        None => both(&format!("ยังไม่มีข้อมูลจากบล็อกเชน · {now_th}"), &format!("nothing indexed yet · {now_en}")),
    };
    let block = marker.map_or(String::new(), |m| m.block_number.to_string());
    let _ = writeln!(
        out,
        "<div><dt>อ่านข้อมูลที่<span class=\"en\" lang=\"en\">Read at</span></dt><dd id=\"read-at\" data-block=\"{block}\">{text}</dd></div>"
    );
}

fn documents_card(out: &mut String, documents: &[Document]) {
    out.push_str("<section class=\"card\">\n<h2>เอกสารที่บันทึกบนบล็อกเชน<span class=\"en\" lang=\"en\">Documents recorded on chain (SHA-256)</span></h2>\n<ul id=\"documents\">\n");
    for d in documents {
        let hash = hex0x(&d.hash);
        let _ = writeln!(
            out,
            "<li data-sha256=\"{hash}\" data-label-th=\"{}\" data-label=\"{}\">{}<span class=\"hash\">{hash}</span></li>",
            escape(&d.th),
            escape(&d.en),
            both(&d.th, &d.en)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// The document check: a drop zone and a file input; the verdict's sentences ride on data
/// attributes so that the script says what the server would.
fn check_form(out: &mut String, confirmation: bool) {
    let (what_th, what_en) = if confirmation {
        ("หนังสือรับรองนี้", "this credit confirmation")
    } else {
        ("หนังสือค้ำประกันนี้", "this guarantee")
    };
    out.push_str(
        "<div class=\"card\">\n<h2>ตรวจสอบเอกสารของคุณ<span class=\"en\" lang=\"en\">Check your document</span></h2>\n",
    );
    out.push_str(
        "<label class=\"drop\" id=\"drop\" for=\"document\">วางไฟล์ (PDF) ที่นี่ หรือกดเพื่อเลือกไฟล์\
         <span class=\"en\" lang=\"en\">Drop the file (PDF) here, or tap to choose it</span>\
         <input type=\"file\" id=\"document\" accept=\".pdf,.xml,application/pdf,application/xml\"></label>\n",
    );
    out.push_str(
        "<p class=\"notice\">ไฟล์ไม่ถูกส่งออกจากเบราว์เซอร์: เบราว์เซอร์คำนวณค่า SHA-256 แล้วเทียบกับค่าที่บันทึกไว้ข้างต้น \
         <span lang=\"en\">The file never leaves your browser: it computes the file's SHA-256 and compares it with the hashes above.</span></p>\n",
    );
    let attributes = [
        ("match-th", "ตรงกับ{document}ที่บันทึกบนบล็อกเชน".to_owned()),
        ("match-en", "Matches {document}, as recorded on chain".to_owned()),
        ("mismatch-th", format!("ไม่ตรงกับเอกสารใดของ{what_th}ที่บันทึกบนบล็อกเชน ไฟล์นี้อาจไม่ใช่ฉบับที่ธนาคารลงนามหรือถูกแก้ไข")),
        (
            "mismatch-en",
            format!(
                "Does not match any document of {what_en} recorded on chain: this is not the file the bank signed, or it was altered"
            ),
        ),
        ("busy-th", "กำลังคำนวณค่า SHA-256 ของไฟล์…".to_owned()),
        ("busy-en", "Computing the file's SHA-256…".to_owned()),
        ("insecure-th", "เบราว์เซอร์คำนวณค่าได้เฉพาะเมื่อเปิดหน้านี้ผ่าน https".to_owned()),
        ("insecure-en", "Your browser computes the hash only on a page opened over https".to_owned()),
        ("unreadable-th", "อ่านไฟล์ไม่ได้".to_owned()),
        ("unreadable-en", "The file could not be read".to_owned()),
    ];
    out.push_str("<div id=\"verdict\" class=\"verdict\" aria-live=\"polite\"");
    for (name, text) in attributes {
        let _ = write!(out, " data-{name}=\"{}\"", escape(&text));
    }
    out.push_str("></div>\n</div>\n");
}

fn qr(out: &mut String, path: &str, url: Option<&str>) {
    let url = url.map_or(String::new(), |u| format!("<br><span class=\"mono\" id=\"page-url\">{}</span>", escape(u)));
    let _ = writeln!(
        out,
        "<div class=\"card qr\"><img src=\"{}/qr.svg\" alt=\"QR code of this page\" width=\"128\" height=\"128\">\
         <p>QR code ของหน้านี้ <span lang=\"en\">· this page's QR code, as the bank prints it</span>{url}</p></div>",
        escape(path)
    );
}
