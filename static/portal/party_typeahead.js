// Type-ahead of registered parties: an input with data-party-typeahead="<hidden id field>" and a list=<datalist>
// is offered the register's parties matching what is typed; picking one fills the hidden party id.
// Vendored with the portal; calls only the portal's own API (GET /api/v1/parties/?search=).
(function () {
  "use strict";
  document.querySelectorAll("[data-party-typeahead]").forEach((input) => {
    const hidden = document.getElementById(input.dataset.partyTypeahead);
    const list = document.getElementById(input.getAttribute("list"));
    if (!hidden || !list) return;
    let found = [];
    let timer = null;

    function label(party) {
      return `${party.name} (${party.country})`;
    }

    async function search() {
      const text = input.value.trim();
      if (text.length < 2) return;
      const response = await fetch(`/api/v1/parties/?search=${encodeURIComponent(text)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const body = await response.json();
      found = Array.isArray(body) ? body : body.results || [];
      list.replaceChildren(
        ...found.slice(0, 20).map((party) => {
          const option = document.createElement("option");
          option.value = label(party);
          return option;
        }),
      );
    }

    input.addEventListener("input", () => {
      const picked = found.find((party) => label(party) === input.value);
      hidden.value = picked ? String(picked.id) : "";
      if (picked) {
        input.value = picked.name;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
  });
})();
