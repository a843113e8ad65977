// The brand's invitations: people it added who already work with another brand are asked
// first, and become its artisans only when they say yes (in the app or by SMS). What the brand
// sees here is what it asked and her answer; nothing of her other brands.

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatTime, locale, t } from "../i18n.js";
import { craftLabel, emptyRow, villageName } from "./people-ui.js";
import { table } from "./ui.js";

/** @typedef {import("./people-ui.js").Context} Context */

/** @returns {Record<Wire.InvitationStatus, string>} */
function answerWords() {
  return { pending: t("Waiting for her answer"), accepted: t("Said yes"), declined: t("Said no") };
}

/** What the console says after adding someone who works with another brand (POST /artisans
answered 202): she is asked, and nothing is said about where else she works.
@param {unknown} answer @returns {string | null} */
export function invitationSent(answer) {
  const sent = /** @type {Partial<Wire.InvitationSent>} */ (answer);
  if (sent?.status !== "invitation_sent" || !sent.invitation) return null;
  return t(
    "Invitation sent: {name} is already registered with Cunjiang, so she is asked first. She shows among your artisans once she says yes, in the app or by SMS; the Invitations tab shows her answer.",
    { name: sent.invitation.name },
  );
}

/** The brand's invitations, newest first. @param {HTMLElement} panel @param {Context} ctx @returns {Promise<void>} */
export async function invitationsPanel(panel, ctx) {
  const { invitations } = /** @type {Wire.InvitationList} */ (await api("GET", "/invitations", { language: locale }));
  const words = answerWords();
  const craft = (/** @type {string} */ code) => craftLabel(ctx.crafts.find((c) => c.code === code) || { names: {}, code });
  const body = h(
    "tbody",
    {},
    ...invitations.map((invitation) =>
      h(
        "tr",
        { "data-invitation-id": String(invitation.id), "data-invitation-status": invitation.status },
        h("td", {}, invitation.name),
        h("td", {}, villageName(ctx, invitation.village_id)),
        h("td", {}, invitation.crafts.map(craft).join(locale === "en" ? ", " : "、")),
        h("td", {}, formatTime(invitation.created_at)),
        h("td", {}, words[invitation.status] || invitation.status),
      ),
    ),
  );
  if (!invitations.length) body.append(emptyRow(5, t("No invitations yet.")));
  panel.replaceChildren(
    h("div", { class: "toolbar" }, h("h1", { class: "grow" }, t("Invitations"))),
    h(
      "p",
      { class: "hint" },
      t("People you added who already work with another brand. They are asked first; each becomes one of your artisans when she says yes."),
    ),
    h("p", { class: "hint", "data-count": true }, t("Invitations: {count}.", { count: invitations.length })),
    table([t("Name"), t("Village"), t("Crafts"), t("Asked"), t("Answer")], body),
  );
}
