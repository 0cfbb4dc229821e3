/** The payload every scenario and peer sends: a small, realistic event (about 200 bytes of JSON). */
export function benchPayload(i: number): {
  orderId: string;
  customerId: string;
  amount: number;
  currency: string;
  items: string[];
  note: string;
} {
  return {
    orderId: `order-${i}`,
    customerId: `customer-${i % 1000}`,
    amount: 1000 + (i % 500),
    currency: 'EUR',
    items: ['seat-A1', 'popcorn', 'soda'],
    note: 'benchmark payload with a few fields of ordinary size',
  };
}
