// The banner every page opens with: synthetic-data notice and, for a public build, what was withheld.
import {html} from "npm:htl";

export function banner(site) {
  return html`${site.employer.includes("synthetic") ? html`<div class="banner synthetic">These are <strong>synthetic</strong> sample returns made by fairload's generator, not any real employer's data.</div>` : ""}
  ${site.public
    ? html`<div class="banner banner-public">Published version: no worker is shown, and any figure describing fewer than ${site.min_group_size} people is withheld, with other figures withheld where needed so that it cannot be worked out from totals.</div>`
    : html`<div class="banner">Internal version (not for publication): it includes team and worker detail. Latest month: ${site.latest_period ?? "none"}; built ${site.built_at}.</div>`}`;
}
