/**
 * Which units a return request may take back (04-services.md "Returns": quantities checked against
 * what was delivered): each requested order item must belong to the order, appear once, and ask
 * for at most what was delivered minus what non-rejected returns already take back.
 */
export interface DeliveredLine {
  id: string;
  sku: string;
  warehouseId: string;
  quantity: number;
  unitPrice: bigint;
}

export interface RequestedLine {
  orderItemId: string;
  quantity: number;
}

export interface ItemProblem {
  /** Index in the request's `items`. */
  index: number;
  field: 'orderItemId' | 'quantity';
  message: string;
}

export type ReturnItemsCheck =
  | {
      ok: true;
      lines: (DeliveredLine & { returnQuantity: number })[];
      /** After this return every delivered unit is returned (drives the exact last refund). */
      completesOrder: boolean;
    }
  | { ok: false; problems: ItemProblem[] };

export function checkReturnItems(
  delivered: readonly DeliveredLine[],
  alreadyReturned: ReadonlyMap<string, number>,
  requested: readonly RequestedLine[],
): ReturnItemsCheck {
  const byId = new Map(delivered.map((d) => [d.id, d]));
  const seen = new Set<string>();
  const problems: ItemProblem[] = [];
  const lines: (DeliveredLine & { returnQuantity: number })[] = [];
  requested.forEach((r, index) => {
    const id = r.orderItemId.toLowerCase();
    const line = byId.get(id);
    if (!line) {
      problems.push({ index, field: 'orderItemId', message: 'is not an item of this order' });
      return;
    }
    // Refused rather than merged: a client listing a line twice most likely meant something else.
    if (seen.has(id)) {
      problems.push({ index, field: 'orderItemId', message: 'is listed more than once' });
      return;
    }
    seen.add(id);
    const left = line.quantity - (alreadyReturned.get(id) ?? 0);
    if (r.quantity > left) {
      problems.push({
        index,
        field: 'quantity',
        message:
          left > 0
            ? `at most ${left} of ${line.quantity} delivered units can still be returned`
            : `all ${line.quantity} delivered units are already returned or being returned`,
      });
      return;
    }
    lines.push({ ...line, returnQuantity: r.quantity });
  });
  if (problems.length > 0) return { ok: false, problems };
  const now = new Map(lines.map((l) => [l.id, l.returnQuantity]));
  const completesOrder = delivered.every(
    (d) => (alreadyReturned.get(d.id) ?? 0) + (now.get(d.id) ?? 0) >= d.quantity,
  );
  return { ok: true, lines, completesOrder };
}
