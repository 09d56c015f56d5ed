/** Who a message goes to, resolved from the directory that owns the principal. */
export interface Recipient {
  email: string;
  firstName: string;
  /** Set for customers, so erasure can find their messages. */
  customerId: string | null;
}

/** Looks up a principal's email: customers through the customer service, staff through user. */
export interface RecipientLookup {
  customer(id: string): Promise<Recipient | undefined>;
  staff(id: string): Promise<Recipient | undefined>;
}
