import { expect, type APIRequestContext } from "@playwright/test";
import { basicAuth } from "./env";

export type Credentials = { accountId: string; key: string };

/**
 * Onboards a merchant at a location of its own, with one user, through the
 * administrators' REST API. Returns the ids.
 */
export async function onboard(
  request: APIRequestContext,
  admin: Credentials,
  opts: { name: string; email: string; role: "merchant_l1" | "merchant_l2"; password: string },
): Promise<{ locationId: string; merchantId: string; userId: string }> {
  const headers = { Authorization: basicAuth(admin.accountId, admin.key) };
  const ref = `${opts.name.replace(/[^A-Za-z0-9]/g, "")}-${Date.now().toString(36)}`;
  const loc = await request.post("/api/v1/locations", {
    headers,
    data: { name: `Quai ${opts.name}`, kind: "branch", ref_no: ref },
  });
  expect(loc.status(), await loc.text()).toBe(201);
  const locationId = (await loc.json()).id;
  const mer = await request.post("/api/v1/merchants", {
    headers,
    data: {
      business_name: opts.name,
      contact_email: `shop-${ref}@example.com`.toLowerCase(),
      location_ids: [locationId],
      default_location_id: locationId,
    },
  });
  expect(mer.status(), await mer.text()).toBe(201);
  const merchantId = (await mer.json()).id;
  const user = await request.post(`/api/v1/merchants/${merchantId}/users`, {
    headers,
    data: { email: opts.email, display_name: opts.name, role: opts.role, password: opts.password },
  });
  expect(user.status(), await user.text()).toBe(201);
  return { locationId, merchantId, userId: (await user.json()).id };
}
