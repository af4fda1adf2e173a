// kakunin counter: the clerk's page. No build step, no framework, no CDN.
// Personal data is only ever put on screen with textContent, kept in memory
// until the screen clears, and never stored in the browser.
"use strict";

const STRINGS = {
  ja: {
    title: "本人確認", demo: "デモ", audit: "監査記録",
    demo_banner: "デモ：テスト用の証明書と模擬スマートフォンで動作しています。本物の本人確認には使えません。",
    verify: "確認する", pcsc: "カードリーダーで確認",
    hint: "ボタンを押すと、お客様のスマートフォンにマイナンバーカード等の提示を求めます。",
    demo_variant: "模擬スマートフォンが提示するもの",
    variant_valid: "正しいカード", variant_tampered: "改ざんされたカード",
    variant_untrusted: "信頼されていない発行元のカード", variant_garbled: "通信途中で改ざんされた応答",
    done: "終了して画面を消去", preparing: "要求を準備しています…",
    present: "お客様のスマートフォンで提示の操作をしてもらってください…",
    tap: "スマートフォンをカードリーダーにかざしてもらってください…",
    checking: "検証しています…",
    ok: "確認できました", ng: "確認できません",
    no_api: "このブラウザはデジタル身分証の提示（Digital Credentials API）に対応していません。Chrome または Safari の最新版をお使いください。",
    cancelled: "お客様のスマートフォンで提示が取り消されました。",
    browser_error: "ブラウザで提示に失敗しました",
    network: "窓口のサーバーに接続できませんでした。",
    clear_in: (n) => `あと ${n} 秒で画面を消去します。`,
    full_name: "氏名", address: "住所", birth_date: "生年月日", sex: "性別", sex_code: "性別（コード）",
    individual_number: "個人番号", portrait: "顔写真", portrait_jp2: "顔写真（JPEG 2000 形式のため表示できません）",
    mnc: "マイナンバーカード（スマートフォン）",
    age: (n, v, e) => `${n}歳以上: ${v}（根拠: ${e || "なし"}）`,
    at_least: "はい", under: "いいえ", unknown: "不明", contradictory: "矛盾があり判断できません",
  },
  en: {
    title: "Identity check", demo: "DEMO", audit: "Audit log",
    demo_banner: "DEMO: running with test certificates and a simulated phone. Not for real identity checks.",
    verify: "Verify", pcsc: "Verify with card reader",
    hint: "Pressing the button asks the customer's phone to present a My Number Card or another ID.",
    demo_variant: "What the simulated phone presents",
    variant_valid: "A genuine card", variant_tampered: "A tampered card",
    variant_untrusted: "A card from an untrusted issuer", variant_garbled: "A response altered in transit",
    done: "Finish and clear the screen", preparing: "Preparing the request…",
    present: "Ask the customer to confirm the presentation on their phone…",
    tap: "Ask the customer to hold their phone on the card reader…",
    checking: "Verifying…",
    ok: "Verified", ng: "Not verified",
    no_api: "This browser cannot request digital IDs (Digital Credentials API). Use a current Chrome or Safari.",
    cancelled: "The customer cancelled the presentation on their phone.",
    browser_error: "The browser could not complete the presentation",
    network: "Could not reach the counter's server.",
    clear_in: (n) => `The screen clears in ${n} s.`,
    full_name: "Name", address: "Address", birth_date: "Date of birth", sex: "Sex", sex_code: "Sex (code)",
    individual_number: "Individual Number", portrait: "Portrait", portrait_jp2: "Portrait (JPEG 2000, cannot be shown)",
    mnc: "My Number Card (on a phone)",
    age: (n, v, e) => `${n} or older: ${v} (evidence: ${e || "none"})`,
    at_least: "yes", under: "no", unknown: "unknown", contradictory: "contradictory, cannot decide",
  },
};

let lang = "ja";
let config = { demo: false, screen_clear_seconds: 60, pcsc: false };
let shown = null;       // the verdict on screen (cleared with the screen)
let clearTimer = null;
let clearAt = 0;

const $ = (id) => document.getElementById(id);
const t = (key) => STRINGS[lang][key];

function applyStrings() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const s = t(el.dataset.i18n);
    if (typeof s === "string") el.textContent = s;
  }
  $("lang").textContent = lang === "ja" ? "English" : "日本語";
  $("lang").lang = lang === "ja" ? "en" : "ja";
  if (shown) {
    render(shown);
    tick();
  }
}

async function postJson(path, body) {
  const r = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body === undefined ? {} : body),
  });
  return r.json();
}

function status(text) {
  $("status").hidden = !text;
  $("status").textContent = text || "";
}

function busy(on) {
  $("verify").disabled = on;
  $("pcsc").disabled = on;
}

function localFailure(code, ja, en) {
  return { valid: false, reasons: [{ code, ja, en }], documents: [] };
}

async function verifyOnline() {
  clearScreen();
  busy(true);
  try {
    status(t("preparing"));
    let req;
    try {
      req = await postJson("/api/request");
    } catch (e) {
      return show(localFailure("network", STRINGS.ja.network, STRINGS.en.network));
    }
    if (!req.id) return show(req);
    if (!navigator.credentials || typeof navigator.credentials.get !== "function") {
      return show(localFailure("no_api", STRINGS.ja.no_api, STRINGS.en.no_api));
    }
    status(t("present"));
    let credential;
    try {
      credential = await navigator.credentials.get({ digital: req.digital });
    } catch (e) {
      if (e && (e.name === "NotAllowedError" || e.name === "AbortError")) {
        return show(localFailure("cancelled", STRINGS.ja.cancelled, STRINGS.en.cancelled));
      }
      const name = (e && e.name) || "Error";
      return show(localFailure("browser_error", `${STRINGS.ja.browser_error}（${name}）`, `${STRINGS.en.browser_error} (${name})`));
    }
    if (!credential) return show(localFailure("cancelled", STRINGS.ja.cancelled, STRINGS.en.cancelled));
    status(t("checking"));
    const verdict = await postJson("/api/response", {
      id: req.id,
      credential: { protocol: credential.protocol, data: credential.data },
    });
    show(verdict);
  } catch (e) {
    show(localFailure("network", STRINGS.ja.network, STRINGS.en.network));
  } finally {
    busy(false);
  }
}

async function verifyPcsc() {
  clearScreen();
  busy(true);
  try {
    status(t("tap"));
    show(await postJson("/api/pcsc"));
  } catch (e) {
    show(localFailure("network", STRINGS.ja.network, STRINGS.en.network));
  } finally {
    busy(false);
  }
}

function show(verdict) {
  status("");
  shown = verdict;
  render(verdict);
  clearAt = Date.now() + config.screen_clear_seconds * 1000;
  tick();
  clearTimer = setInterval(tick, 1000);
}

function tick() {
  const left = Math.max(0, Math.ceil((clearAt - Date.now()) / 1000));
  $("clear-note").textContent = t("clear_in")(left);
  if (left <= 0) clearScreen();
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(v) {
  $("result").hidden = false;
  const verdict = $("verdict");
  verdict.className = "verdict " + (v.valid ? "ok" : "ng");
  verdict.querySelector(".icon").textContent = v.valid ? "✔" : "✖";
  verdict.querySelector(".text").textContent = v.valid ? t("ok") : t("ng");
  const reasons = $("reasons");
  reasons.replaceChildren();
  for (const r of v.reasons || []) {
    const li = el("li", null, r[lang] || r.ja);
    li.appendChild(el("span", "code", `(${r.code})`));
    reasons.appendChild(li);
  }
  const docs = $("documents");
  docs.replaceChildren();
  for (const d of v.documents || []) {
    const box = el("div", "document");
    const main = el("div");
    main.appendChild(el("h2", null, d.doc_type === "org.iso.23220.1.jp.mnc" ? t("mnc") : d.doc_type));
    const table = el("table");
    for (const item of d.items || []) {
      const tr = el("tr");
      tr.appendChild(el("th", null, t(item.key) || item.key));
      tr.appendChild(el("td", null, String(item.value)));
      table.appendChild(tr);
    }
    main.appendChild(table);
    const ages = el("ul", "ages");
    for (const a of d.ages || []) {
      ages.appendChild(el("li", null, t("age")(a.threshold, t(a.verdict) || a.verdict, a.evidence)));
    }
    main.appendChild(ages);
    if (d.portrait) {
      const fig = el("div");
      if (d.portrait.src) {
        const img = el("img", "portrait");
        img.src = d.portrait.src;
        img.alt = t("portrait");
        fig.appendChild(img);
      } else {
        fig.appendChild(el("p", null, t("portrait_jp2")));
      }
      box.appendChild(fig);
    }
    box.appendChild(main);
    docs.appendChild(box);
  }
}

function clearScreen() {
  if (clearTimer) clearInterval(clearTimer);
  clearTimer = null;
  shown = null;
  $("reasons").replaceChildren();
  $("documents").replaceChildren();
  $("verdict").className = "verdict";
  $("verdict").querySelector(".icon").textContent = "";
  $("verdict").querySelector(".text").textContent = "";
  $("clear-note").textContent = "";
  $("result").hidden = true;
  status("");
}

// Demo mode: the server's simulated phone answers navigator.credentials.get.
function installDemoWallet() {
  const get = async (options) => {
    const variant = $("demo-variant").value;
    const r = await fetch("/api/demo/wallet", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ digital: options.digital, variant }),
    });
    if (!r.ok) throw new DOMException(await r.text(), "NotSupportedError");
    return r.json();
  };
  if (!navigator.credentials) {
    Object.defineProperty(navigator, "credentials", { value: {}, configurable: true });
  }
  navigator.credentials.get = get;
}

async function init() {
  $("lang").addEventListener("click", () => { lang = lang === "ja" ? "en" : "ja"; applyStrings(); });
  $("verify").addEventListener("click", verifyOnline);
  $("pcsc").addEventListener("click", verifyPcsc);
  $("done").addEventListener("click", clearScreen);
  try {
    config = await (await fetch("/api/config")).json();
  } catch (e) { /* keep defaults */ }
  $("pcsc").hidden = !config.pcsc;
  for (const id of ["demo-badge", "demo-banner", "demo-choice"]) $(id).hidden = !config.demo;
  if (config.demo) installDemoWallet();
  applyStrings();
  document.body.dataset.ready = "1";
}

init();
