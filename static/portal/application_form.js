// The application form: add formset rows, and preview the determination as the lines change.
// Vendored with the portal; calls only the portal's own API (POST /api/v1/determinations/).
(function () {
  "use strict";
  const form = document.getElementById("application-form");
  if (!form) return;
  const preview = document.getElementById("preview");

  function addRow(prefix) {
    const total = form.querySelector(`#id_${prefix}-TOTAL_FORMS`);
    const index = parseInt(total.value, 10);
    const html = document.getElementById(`${prefix}-template`).innerHTML.replace(/__prefix__/g, String(index));
    const container = form.querySelector(`[data-formset="${prefix}"]`);
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const first = container.lastElementChild.querySelector("select, input");
    if (first) first.focus();
  }

  form.querySelectorAll("[data-add]").forEach((button) => {
    button.addEventListener("click", () => addRow(button.dataset.add));
  });

  function value(name) {
    const field = form.elements.namedItem(name);
    return field ? field.value.trim() : "";
  }

  function rows(prefix, fields) {
    const total = parseInt(value(`${prefix}-TOTAL_FORMS`) || "0", 10);
    const out = [];
    for (let i = 0; i < total; i += 1) {
      const row = {};
      fields.forEach((f) => { row[f] = value(`${prefix}-${i}-${f}`); });
      out.push(row);
    }
    return out;
  }

  function request() {
    const items = rows("lines", ["product", "quantity"])
      .filter((r) => r.product && /^\d+$/.test(r.quantity) && parseInt(r.quantity, 10) > 0)
      .map((r) => ({ product: parseInt(r.product, 10), quantity: parseInt(r.quantity, 10) }));
    const endUsers = rows("end_users", ["name", "hq_country"]).filter((r) => r.name);
    const consignee = value("consignee_name");
    if (!value("destination") || !consignee || items.length === 0) return null;
    const body = { destination: value("destination"), consignee, items, end_use_category: value("end_use_category") || "other" };
    if (value("export_from")) body.export_from = value("export_from");
    if (endUsers.length) {
      body.end_users = endUsers.map((r) => r.name);
      body.end_user_hq = endUsers.map((r) => r.hq_country).filter(Boolean);
    }
    return body;
  }

  function text(tag, content, className) {
    const node = document.createElement(tag);
    node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  // Outcomes and presumptions in the words every page uses (licensing.vocabulary, passed by the page).
  const vocabulary = JSON.parse(document.getElementById("vocabulary").textContent);
  const words = (kind, value) => (vocabulary[kind] && vocabulary[kind][value]) || value;

  function render(result) {
    preview.replaceChildren();
    preview.appendChild(text("p", words("outcome", result.outcome), `outcome outcome-${result.outcome}`));
    if (result.presumption) preview.appendChild(text("p", words("presumption", result.presumption)));
    preview.appendChild(text("p", `Requested: ${result.requested_h100e} H100e (${result.requested_tpp.toLocaleString("en")} TPP)`));
    if (result.allotment) preview.appendChild(text("p", `Allotment remaining before this request: ${result.allotment.remaining_h100e} H100e`));
    const reasons = document.createElement("ul");
    result.reasons.forEach((r) => reasons.appendChild(text("li", r.text)));
    preview.appendChild(reasons);
    if (result.programme) {
      preview.appendChild(text("h3", "Licence-review programme"));
      preview.appendChild(text("p", `${result.programme.name} (${result.programme.citation}), version ${result.programme.version}`));
      if (result.certifications.length) {
        preview.appendChild(text("p", "You affirm these certifications when you submit:"));
        const certifications = document.createElement("ul");
        certifications.className = "certifications";
        result.certifications.forEach((c) => certifications.appendChild(text("li", c.text)));
        preview.appendChild(certifications);
      }
      if (result.programme.shipment_evidence) {
        preview.appendChild(text("p", `Each shipment needs: ${result.programme.shipment_evidence}`));
      }
    }
    if (result.conditions.length) {
      preview.appendChild(text("h3", "Conditions an approval would carry"));
      const conditions = document.createElement("ul");
      result.conditions.forEach((c) => conditions.appendChild(text("li", c)));
      preview.appendChild(conditions);
    }
  }

  function renderError(data) {
    preview.replaceChildren(text("p", "The preview needs valid input:", "muted"));
    const list = document.createElement("ul");
    Object.entries(data || {}).forEach(([field, messages]) => {
      const label = document.querySelector(`label[for="id_${field}"]`);
      const name = label ? label.textContent.replace(/\*\s*$/, "").trim() : field.replace(/_/g, " ");
      const said = [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
      list.appendChild(text("li", `${name}: ${said}`));
    });
    preview.appendChild(list);
  }

  let timer = null;
  let sequence = 0;
  async function refresh() {
    const body = request();
    if (!body) return;
    const mine = ++sequence;
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const response = await fetch(form.dataset.determinationUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    });
    if (mine !== sequence) return; // a newer request is on its way
    const data = await response.json();
    if (response.ok) render(data); else renderError(data);
  }

  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 100); });
  refresh();
})();
