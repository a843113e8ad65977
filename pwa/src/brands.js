// The brands she works with, as GET /me last told them, kept on the phone so that a start
// without a network knows them too. A card names its brand only when she works with more
// than one: with one brand, nothing is added. (Jobs of a brand she left are forgotten:
// jobs-controller.js.)

import { remember, remembered } from "./db.js";

/** @type {Wire.Membership[]} */
let memberships = [];

/** Her memberships now (the server's answer after a sign-in, a yes or a leave).
@param {Wire.Membership[]} list @returns {Promise<unknown>} */
export function keepMemberships(list) {
  memberships = list;
  return remember("memberships", list);
}

/** The memberships saved on the phone (a start without a network). @returns {Promise<void>} */
export async function restoreMemberships() {
  memberships = (await remembered("memberships")) || memberships;
}

/** Another person may use this phone next. */
export function forgetMemberships() {
  memberships = [];
}

/** @returns {Wire.Membership[]} */
export function myMemberships() {
  return memberships;
}

/** Her member ids, one per brand: a job for another id is a neighbour's (a village leader's list). @returns {Set<number>} */
export function myMemberIds() {
  return new Set(memberships.map((m) => m.id));
}

/** Whether cards name their brand: she works with more than one. */
export function namesBrands() {
  return new Set(memberships.map((m) => m.brand.id)).size > 1;
}

/** The name of a brand she works with, by id ("" when it is not one of hers any more). @param {number} brandId */
export function brandName(brandId) {
  return memberships.find((m) => m.brand.id === brandId)?.brand.name ?? "";
}
