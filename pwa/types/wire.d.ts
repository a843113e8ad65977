// The server's JSON as the PWA reads it (backend/*/schemas.py, CONTRACT.md): `Wire.Job`,
// `Wire.Payout`… in the modules' JSDoc. For the type checker only: never served, so a phone on
// 2G pays nothing for them. Times and days come as ISO text; money as integer fen.

declare namespace Wire {
  /** A job's state (DESIGN.md's state machine). */
  type JobStatus =
    | "offered"
    | "accepted"
    | "declined"
    | "expired"
    | "withdrawn"
    | "submitted"
    | "rework"
    | "approved"
    | "paid"
    | "confirmed"
    | "disputed";
  type PayoutStatus = "paid" | "confirmed" | "disputed";
  type Role = "artisan" | "leader" | "coordinator" | "admin";
  type Locale = "zh_Hans" | "en";

  /** The body of every refusal (`ApiError` in api.js). */
  interface ErrorBody {
    code?: string;
    message?: string;
    fields?: Record<string, string>;
    rows?: RowError[];
  }
  /** A cell at fault in a spreadsheet that was sent (`import_invalid`). */
  interface RowError {
    row: number;
    column: string;
    code: string;
    message: string;
  }

  interface Brand {
    id: number;
    slug: string;
    name: string;
  }
  /** One brand she works with, and her place there (`id`: her member id in that brand). */
  interface Membership {
    id: number;
    role: Role;
    village_id: number | null;
    brand: Brand;
  }
  /** GET /me/consent, GET /members/{id}/consent: what she lets buyers see, and her own words
  (`story_text` approved, shown only while `story` is on; `story_proposed` waiting for her). */
  interface Consent {
    name: boolean;
    display_name: string | null;
    photo: boolean;
    village: boolean;
    story: boolean;
    story_text: string | null;
    story_proposed: string | null;
    story_proposal: number | null;
  }
  /** POST /members/{id}/story */
  interface StoryProposed {
    proposal: number;
    text: string;
    asked_by_sms: boolean;
  }
  /** GET /me: the person as the membership she acts as, and every brand she works with. */
  interface Me {
    id: number;
    name: string;
    phone: string;
    role: Role;
    locale: string;
    village_id: number | null;
    brand: Brand;
    memberships: Membership[];
  }
  /** POST /auth/token */
  interface Token {
    token: string;
    user: Me;
  }

  /** A job as GET /jobs and the job's actions answer it. */
  interface Job {
    id: number;
    order_id: number;
    artisan_id: number;
    status: JobStatus;
    code: string;
    quantity_offered: number;
    quantity_accepted: number;
    quantity_submitted: number;
    quantity_approved: number;
    /** pieces reported done by SMS, waiting for the village leader's photos */
    quantity_reported: number;
    expires_at: string;
    title: string;
    craft: string;
    unit_price_fen: number;
    /** the order's estimated hours per piece, and the hourly rate they imply (fen); null: not estimated */
    hours_per_piece: number | null;
    hourly_rate_fen: number | null;
    /** she said the piece rate is too low (价低), and the rate she would take (null: not said) */
    price_feedback: boolean;
    price_asked_fen: number | null;
    due_date: string;
    quality_notes: string;
    reference_photo_ids: number[];
    review_reason: string;
    artisan_name: string;
    /** whose work: a person may work with several brands */
    brand_id: number;
    brand_name: string;
  }
  /** GET /jobs?since=CURSOR: the jobs changed since the cursor (a page of at most 200). */
  interface JobPage {
    jobs: Job[];
    cursor: string | null;
  }

  interface Payout {
    id: number;
    job_id: number;
    artisan_id: number;
    amount_fen: number;
    method: string;
    reference: string;
    status: PayoutStatus;
    dispute_reason: string;
    resolution_note: string;
    created_at: string;
    confirmed_at: string | null;
    /** app, sms, voice, console or simulator */
    confirmed_via: string;
    /** whose money (GET /me's memberships name it) */
    brand_id: number;
    /** what the job earned; amount_fen is the net: gross_fen less advance_fen */
    gross_fen: number;
    /** the job's paid advances deducted, never more than the gross */
    advance_fen: number;
    /** materials short a coordinator decided to deduct from this job's payout */
    kit_fen?: number;
  }
  type AdvanceStatus = "requested" | "approved" | "refused" | "lapsed" | "paid" | "confirmed" | "disputed";
  /** An advance (预付款) on a job: POST /jobs/{id}/advance, GET /advances. */
  interface Advance {
    id: number;
    job_id: number;
    code: string;
    artisan_id: number;
    brand_id: number;
    amount_fen: number;
    status: AdvanceStatus;
    /** why it was refused, or why she disputes it */
    reason: string;
    method: string;
    reference: string;
    requested_via: string;
    created_at: string;
    decided_at: string | null;
    paid_at: string | null;
    confirmed_at: string | null;
    deducted_in: number | null;
    /** how the brand closed her dispute */
    resolution_note: string;
  }
  interface AdvanceList {
    advances: Advance[];
  }
  interface PayoutList {
    payouts: Payout[];
  }
  /** GET /payouts/due: approved work not paid yet. */
  interface PayoutDue {
    job_id: number;
    code: string;
    artisan_id: number;
    artisan_name: string;
    village: string;
    order_id: number;
    order_title: string;
    quantity_approved: number;
    unit_price_fen: number;
    /** the net: gross_fen less advance_fen */
    amount_fen: number;
    approved_at: string;
    gross_fen: number;
    advance_fen: number;
    /** materials short a coordinator decided to deduct from this job's payout */
    kit_fen?: number;
  }

  /** POST /photos */
  interface Photo {
    id: number;
    width: number;
    height: number;
    urls: Record<string, string>;
  }

  interface Progress {
    quantity: number;
    accepted: number;
    submitted: number;
    approved: number;
    paid: number;
    offered_open: number;
    /** jobs whose artisan said the piece rate is too low (价低) */
    price_low: number;
  }
  /** GET /orders/{id}/price-feedback: what artisans said of the order's piece rate. */
  interface PriceAnswer {
    job_id: number;
    artisan_id: number;
    name: string;
    village: string;
    price_fen: number | null;
    channel: string;
    at: string;
  }
  interface PriceFeedbackSummary {
    answers: PriceAnswer[];
    count: number;
    offers_open: number;
    median_price_fen: number | null;
  }
  /** A piece passport as the brand's staff see it (GET /passports?order_id=). */
  interface Passport {
    id: string;
    url: string;
    status: "valid" | "withdrawn";
    submission_id: number;
    job_id: number;
    job_code: string;
    artisan_name: string;
    quantity: number;
    approved_at: string;
    withdrawn_at: string | null;
    withdrawn_reason: string;
    scans_total: number;
    scans_last_30_days: number;
    busiest_day_scans: number;
    flagged: boolean;
  }
  interface PassportList {
    order_id: number;
    order_title: string;
    scans_total: number;
    scans_last_30_days: number;
    flagged: number;
    passports: Passport[];
  }
  interface Order {
    id: number;
    title: string;
    description: string;
    craft: string;
    quantity: number;
    unit_price_fen: number;
    hours_per_piece: number | null;
    hourly_rate_fen: number | null;
    due_date: string;
    quality_notes: string;
    photo_ids: number[];
    status: "open" | "cancelled";
    created_at: string;
    progress?: Progress | null;
  }
  interface OrderPage {
    orders: Order[];
    cursor: string | null;
  }

  /** An artisan the dispatch suggestion names (`quantity` 0 among `others`). */
  interface SuggestedOffer {
    artisan_id: number;
    name: string;
    village_id: number;
    village: string;
    crafts: string[];
    quantity: number;
    on_time_rate: number | null;
    open_load: number;
    finished_jobs: number;
    sms_only: boolean;
    score: number;
  }
  /** GET /orders/{id}/suggestion */
  interface Suggestion {
    remaining: number;
    wanted: number;
    offers: SuggestedOffer[];
    candidates: number;
    others: SuggestedOffer[];
  }

  /** A submission in the review queue, with what the reviewer compares it to. */
  interface ReviewItem {
    id: number;
    job_id: number;
    quantity: number;
    photo_ids: number[];
    note: string;
    status: "submitted" | "approved" | "rework";
    channel: string;
    review_reason: string;
    created_at: string;
    /** the kit lots of the job when the work was submitted */
    lots: Lot[];
    job_code: string;
    artisan_id: number;
    artisan_name: string;
    village: string;
    order_id: number;
    order_title: string;
    quality_notes: string;
    reference_photo_ids: number[];
    quantity_accepted: number;
  }

  /** A material's lot the work was made with. */
  interface Lot {
    material: string;
    lot: string;
  }
  type KitStatus = "handed_out" | "received" | "short" | "adjusted" | "deducted";
  /** One material of a kit; quantities are decimal texts ("2.5"). */
  interface KitLine {
    id: number;
    material: string;
    quantity: string;
    unit: string;
    lot: string;
    /** what she actually got, as a coordinator recorded it on a shortage */
    received: string | null;
  }
  interface KitDecision {
    decision: "adjust" | "deduct";
    amount_fen: number;
    reason: string;
    decided_by: number | null;
    decided_at: string;
    deducted_in: number | null;
  }
  /** Materials handed out for a job (发料). */
  interface Kit {
    id: number;
    job_id: number;
    code: string;
    order_id: number;
    artisan_id: number;
    artisan_name: string;
    brand_id: number;
    status: KitStatus;
    note: string;
    lines: KitLine[];
    handed_by: number | null;
    handed_at: string;
    confirmed_at: string | null;
    confirmed_via: string;
    decision: KitDecision | null;
  }
  interface KitList {
    kits: Kit[];
  }
  /** A material out in a village (GET /kits). */
  interface KitOut {
    village_id: number | null;
    village: string;
    material: string;
    unit: string;
    lot: string;
    handed_out: string;
    outstanding: string;
    kits: number;
  }
  interface Village {
    id: number;
    name: string;
    county: string;
    province: string;
    active: boolean;
  }
  /** An artisan, a village leader, a coordinator or an admin of the brand. */
  interface Member {
    id: number;
    name: string;
    phone: string;
    role: Role;
    village_id: number | null;
    crafts: string[];
    sms_only: boolean;
    locale: string;
    active: boolean;
    /** a question left unanswered by SMS is followed by a voice call */
    takes_calls: boolean;
    /** the language calls speak to her (recorded prompts: hmn, doc…); null: her locale, by TTS */
    voice_language: string | null;
  }
  interface Craft {
    id: number;
    code: string;
    /** in the reader's language */
    name: string;
    names: Record<string, string>;
    active: boolean;
  }
  /** GET /brand */
  interface BrandSettings extends Brand {
    /** what villagers type to name the brand by SMS (退出 王家); empty: its name */
    short_name: string;
    offer_window_hours: number;
    /** the share (0-50) of an accepted job's pay an artisan may ask in advance */
    advance_percent: number;
  }
  /** POST /artisans/import */
  interface ImportResult {
    rows: number;
    imported: number;
    artisans: number[];
    dry_run: boolean;
    /** rows of people who work with another brand: asked first, as by POST /artisans */
    invited: number;
  }

  type InvitationStatus = "pending" | "accepted" | "declined";
  /** A brand's invitation as its staff see it (GET /invitations): nothing of her other brands. */
  interface Invitation {
    id: number;
    name: string;
    village_id: number;
    crafts: string[];
    status: InvitationStatus;
    created_at: string;
  }
  interface InvitationList {
    invitations: Invitation[];
  }
  /** POST /artisans for someone who works with another brand (202): she is asked first. */
  interface InvitationSent {
    invitation: Invitation;
    status: "invitation_sent";
  }
  /** An invitation as she sees it (GET /me/invitations): who asks, what it would see of her. */
  interface MyInvitation {
    id: number;
    brand: Brand;
    name: string;
    village: string;
    crafts: string[];
    /** in her language, the same list the SMS question is made from */
    sees: string[];
    created_at: string;
  }
  interface MyInvitationList {
    invitations: MyInvitation[];
  }

  /** Money in fen and as the server wrote it for the reader (Babel, her locale). */
  interface Amount {
    fen: number;
    text: string;
  }
  /** A line of a job in the income statement: what it earned, a payout (its net), an advance
  paid, or the advances deducted from the payout (more kinds may come). */
  interface StatementLine {
    kind: "earned" | "paid" | "advanced" | "deducted" | "kit" | string;
    advance_id?: number | null;
    at: string;
    day: string;
    amount: Amount;
    quantity: number | null;
    unit_price: Amount | null;
    payout_id: number | null;
    method: string;
    method_label: string;
    /** masked: its last four characters */
    reference: string;
    status: PayoutStatus | null;
    status_label: string;
    dispute_reason: string;
    resolution_note: string;
    confirmed_at: string | null;
  }
  interface StatementJob {
    job_id: number;
    code: string;
    order_title: string;
    lines: StatementLine[];
  }
  interface StatementTotals {
    earned: Amount;
    paid: Amount;
    confirmed: Amount;
    disputed: Amount;
    awaiting: Amount;
    advanced: Amount;
    deducted: Amount;
    /** materials short taken off payouts by a coordinator's decision */
    kit: Amount;
  }
  interface StatementBrand {
    brand_id: number;
    brand_name: string;
    member_id: number;
    artisan_name: string;
    jobs: StatementJob[];
    totals: StatementTotals;
  }
  /** GET /me/statement?month=YYYY-MM: her income statement (收入明细) of a month in China. */
  interface Statement {
    month: string;
    name: string;
    locale: Locale;
    generated_on: string;
    brands: StatementBrand[];
    totals: StatementTotals;
  }
  /** GET /me/statement/months */
  interface StatementMonths {
    months: string[];
  }

  /** GET /dashboard/orders: one order's pieces at each stage. */
  interface OrderBar {
    id: number;
    title: string;
    status: "open" | "cancelled";
    due_date: string;
    quantity: number;
    offered_open: number;
    accepted: number;
    submitted: number;
    approved: number;
    paid: number;
    late: boolean;
  }
  interface OrdersBoard {
    orders: OrderBar[];
  }
  interface VillageMonth {
    month: string;
    on_time_rate: number | null;
    jobs_finished: number;
    jobs_overdue: number;
    pieces_approved: number;
    earnings_fen: number;
  }
  /** GET /dashboard/villages */
  interface VillagesBoard {
    months: string[];
    villages: { village_id: number; village: string; months: VillageMonth[] }[];
  }
  /** GET /dashboard/sms: a day's messages, segments and where they stand. */
  interface DayUsage {
    day: string;
    messages: number;
    segments: number;
    by_status: Record<string, number> & { held: number };
  }
  interface SmsDays {
    days: DayUsage[];
  }
  /** Voice calls in a month (China time), by when each was last placed. */
  interface CallMonth {
    month: string;
    calls: number;
    answered: number;
    keys_pressed: number;
    cost_fen: number;
    /** The part of cost_fen estimated (minutes started × the price a minute): the provider said none. */
    cost_estimated_fen: number;
  }
  interface CallMonths {
    months: CallMonth[];
  }

  /** A message of the SMS simulator's conversation. */
  interface SmsMessage {
    direction: "in" | "out";
    body: string;
    at: string;
    kind: string;
    status: string;
  }
  interface SmsConversation {
    phone: string;
    messages: SmsMessage[];
  }
  /** A call to the villager the simulator pretends to be (the console's call view). */
  interface SimulatedCall {
    id: number;
    status: "queued" | "calling" | "answered" | "no_answer" | "failed" | "cancelled";
    flow: string;
    words: string;
    language: string;
    keys_pressed: string;
    attempts: number;
    due_at: string;
    called_at: string | null;
    outcome: string;
  }
  interface SimulatedCalls {
    phone: string;
    calls: SimulatedCall[];
    heard: string;
    ended: boolean;
  }
  /** A prompt recorded in a language text-to-speech cannot speak. */
  interface RecordingRead {
    prompt: string;
    language: string;
    aliyun_code: string;
    audio_url: string | null;
    audio_type: string;
    audio_bytes: number;
    updated_at: string;
  }
  interface LanguageRecordings {
    language: string;
    people: number;
    recorded: RecordingRead[];
    /** prompts without a recording the configured provider can play */
    missing: string[];
  }
  interface Recordings {
    provider: string;
    prompts: string[];
    languages: LanguageRecordings[];
  }
  /** Whether she takes a call after an SMS question she leaves unanswered (GET/PUT /me/calls). */
  interface TakesCalls {
    takes_calls: boolean;
  }
  /** An item a provider pushed that could not be used. */
  interface DeadLetter {
    id: number;
    provider: string;
    kind: "up" | "report" | "voice_report";
    reason: string;
    reason_text: string;
    detail: string;
    item: string;
    received_at: string;
  }
  interface DeadLetterList {
    dead_letters: DeadLetter[];
    unattributed: number;
    cursor: string | null;
  }
}
