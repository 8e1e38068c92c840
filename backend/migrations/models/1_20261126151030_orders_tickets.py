from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "idempotency_records" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "user_id" UUID NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" VARCHAR(64) NOT NULL,
    "locked_until" TIMESTAMPTZ,
    "response_status" INT,
    "response_body" JSONB,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_idempotency_user_id_1462fb" UNIQUE ("user_id", "key")
);
CREATE INDEX IF NOT EXISTS "idx_idempotency_expires_c48357" ON "idempotency_records" ("expires_at");
COMMENT ON TABLE "idempotency_records" IS 'One `Idempotency-Key` of one user: the request''s fingerprint and, once done, the response.';
        CREATE TABLE IF NOT EXISTS "orders" (
    "id" UUID NOT NULL PRIMARY KEY,
    "user_id" UUID NOT NULL,
    "hold_id" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "total" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "payment_provider" VARCHAR(32) NOT NULL,
    "payment_ref" VARCHAR(128),
    "refund_ref" VARCHAR(128),
    "failure" VARCHAR(200),
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "event_id" UUID NOT NULL REFERENCES "events" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_orders_user_id_f00b6a" ON "orders" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_orders_hold_id_94413e" ON "orders" ("hold_id");
COMMENT ON COLUMN "orders"."status" IS 'PENDING: pending\nCONFIRMED: confirmed\nFAILED: failed\nCANCELLED: cancelled';
        CREATE TABLE IF NOT EXISTS "tickets" (
    "id" UUID NOT NULL PRIMARY KEY,
    "code" VARCHAR(64) NOT NULL UNIQUE,
    "status" VARCHAR(8) NOT NULL,
    "price" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "event_id" UUID NOT NULL REFERENCES "events" ("id") ON DELETE RESTRICT,
    "order_id" UUID NOT NULL REFERENCES "orders" ("id") ON DELETE CASCADE,
    "seat_id" BIGINT NOT NULL REFERENCES "event_seats" ("id") ON DELETE RESTRICT
);
COMMENT ON COLUMN "tickets"."status" IS 'VALID: valid\nVOID: void';
COMMENT ON TABLE "tickets" IS 'At most one valid ticket per (event, seat): a partial unique index, the final guard.';
        CREATE UNIQUE INDEX IF NOT EXISTS "uq_tickets_valid_event_seat" ON "tickets" ("event_id", "seat_id") WHERE "status" = 'valid';
    """


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "idempotency_records";
        DROP TABLE IF EXISTS "orders";
        DROP TABLE IF EXISTS "tickets";"""


MODELS_STATE = (
    "eJztXW1v2zgS/iuCv1wLZIvETtJscDjAiZ2tr0lcOG5ud5tCy0i0TUQmvRSVxNfrfz+Sli"
    "VZohTJsVxZ5Zc2pjh6eYYvMw+Hw2+NKbGh47777ELaODW+NTCYQv7HSvme0QCzWVgqChi4"
    "d2RFj9eQJeDeZRRYjBeOgONCXmRD16JoxhDBvBR7jiMKicUrIjwOizyM/vagycgYsol8kS"
    "9feTHCNnyG7vLn7MEcIejYK++JbPFsWW6y+UyWff7c61zImuJx96ZFHG+Kw9qzOZsQHFT3"
    "PGS/EzLi2hhiSAGDduQzxFv6n7ssWrwxL2DUg8Gr2mGBDUfAcwQYjX+OPGwJDAz5JPHP4b"
    "/8V4tUM83r/tC86Q5Ns1EAO4tggTvCTAD17fviviEgsrQhHnD+oT140zp+KyEgLhtTeVHC"
    "1fguBQEDC1EJeogynALkJIE+nwCqBjoQiGHNX7UclJcAlQBpYwqeTQfiMZvwn82jwwyMb9"
    "sDCTOvJXEmvEcs+sm1f6m5uCbwDvGV/xeAd1l/M+guC0J4ww68dXwPmvs58OW1UvGV11bx"
    "nQHXfSLUNifAnRQBOiFYQ8SbR0e5WvRRRos+iiNOiQPdJNL/vulfq5EOBGII28hixv8MB7"
    "msLKQjI/S9hxyGsPtOPO9HDNICIHHnqev+7URRfnPV/j2ugPPL/ll8NBc3OIspw6JQQGYC"
    "ltRIh19haArVWlmVjKvGF323/GMXuwL/QLuPnbk/qWSoZti76t4M21efVvTTaQ+74kpTls"
    "5jpW+OYzoLbmL8pzf8YIifxp/9625cjUG94Z8N8U7AY8TE5MkEdmT+W5YuUfsu7KTRQ2QO"
    "FwX3wHp4AnwQS1whTZJWN3lp2pzGSwAGY6kzAa54Td9s7D5CzFT25OJCpkEJRRVtUdbcoi"
    "RPHBWzGNZRmU0inhyCtmlevgbfEE+GmFPIhAwE6mjR7OexIXmtdItmP2FDRt8sgfMQPjM1"
    "zjGx7aHd+AEDwrD7+zDbeglmyMv+9W/L6nGTJma9cGDGhM7VrbuLvalEvsdfEmALJm2YiH"
    "yVG3vjvH993h0MTw0OuAUpu8PDD932cNDlA9KE22EU3uGbT/3B8ObUcGeEMvcOn/evup0/"
    "hMgU2vM7fNG+6l3+IV5oihzxm1sRvdv2JS+BLkOPwLnDfX7bwalB5My4Rvc6OM7jocUtn4"
    "iDdpzwzyAdETpdvE5u3ywqVGXFVmkU432Et5s1PIEVwRo6Ajti+C8xSVj+USVDbK+j4oiY"
    "VnClFcxV4wIHrqHjVckNqNk3lbWWN69ly6MUYivF8EkhbCIyNZwTWzlmxFbqfNhK2B0UWd"
    "D0DURUjLBUyW6fu/wxXakUllIomiHrAXIzg9t2JqG2yiDs4RRPK1U+phWES9PGSVmdYCze"
    "4JfmweH7w5PW8aF4jnzLoOR9hrZ618MY1E8AMf48kxIyLdLm43Kvau+7M3OU0ty5Qc08xY"
    "iTz6kNpcsa5ZO0o03BiBVkFRqdQfuCu7RS9g5/+nx22bv50O2cGjPvnjeUCbS5E9vmju/l"
    "pSi1xNc6DrSr4Zg+QuoqCZ/UUSgisb1x52BHxh0XAmpNzFRUz9A4FdikbG3w/bXZbLXeN/"
    "dbxydHh+/fH53sB0AnL2Uhftb7TYC+0ryVWmAcWA8rvIcs+CNC24N+f0eatl5jTYe6Xmus"
    "Ua17M3tNra9Kaq1XResKz9x/+4jbuDRd1tB7XFZTMNVRdLJ/P0LswYLL1FGZcpepq6LWF9"
    "apE0EpMXyT4F4QCtEYf4TzhBcUQ9SPK7ld3mc3QQ1Lw+5MwVMQnbLSpvjX82+GTH7/gDfx"
    "Qe+cWyPpkT6rlp/C5TzzxS4+DqADUpaqoxE8NxDsMKOVQHuVWxe00StB6i+ppzoC5HNsr0"
    "NoKG9SJ4hKj6eTnS4tpm7ZI1+IqzODEeDF4LrGcAINKfQP1yBP2BCip8bTBDBjQvhb7xmL"
    "rmIAbBt+ozAoHEFqMGK8QfwXsg3kiuAFKcx/vn0X53VKfIwiCPDLAgZxlTcw6DS+viYsMI"
    "uuUM7/Cj/ZH+2ru/thixRFerjgQlkJBaSvgwUCdVwEa+ZZBWumL4M1E1Eh0FLHtaUDHBGp"
    "IcSl7EKh3MkogLBfvY7obpynx970vtBiYSiwPSqz/FF6c2xmZsxlCo+5I3GWazba4zz7/o"
    "7Tt/0dJ3b9PRdor8+6qaY0VUUbTUVR1TY1io3AOyhGdEVlNNGVTXQFbscria5gA9Vugvoi"
    "0RVtUytE13n75rzd6ebjuTRFsXWKYsHAKuiJgJpNpyYku6m3/Oktfwms9Za/9C1/OmlEuV"
    "tlLMSK+T9+/RriWwodAmybN+6UCEg1xBGRGqLcytWKWxmtuJVsxSKG4L8EF9wbHMrUEOfN"
    "e/I+GVpo/0BURu8beE0g9S6FM+4QJaAjGtOh3s3Ytg1kjYkxGpsIJtlB/eeKk9hAsI30ne"
    "sWbFM6C5EWKLGC5gtsRIFAiUKUxJcw5E0HIBSZ1nQAQnUMaB2AsJsetw5A0AEI5Y7SOgBh"
    "l2gLHYCgAxCqgqLeaaN32lQhACF1p02OAIQyPdu+x+7J80CyNgnPNry4l+XZEllt805tzI"
    "X9EslOAR4Bkk1CkIFftXNbSecWjPk4MuaQKcffjOW4mNzWUpHssM31wD+rCMbL+tqgzQHu"
    "jqRr2SGzbAbmDgGKFpuRGC0U0euaNU4QlQS/MYPYFhAW00DjU/e607v+7dTw5e9wp3vZu+"
    "0OREYobsUg3ktFnqhOty0LQEWyQwHG4HSmWuRJHW+iIjqJTny0WbEWE6BmLzrHZfWyc9WX"
    "naOad4DLTEgpUXCo6cn1V6XWGuh2KHlKKcn1dZDHT9jbgjl1Db3HZXUCo6olMCoQzlMmY9"
    "WzuaVDmMhGPYAWoauMT2qlvSwGC4XVTSrr50xm0cfQ+CvysF8+wvlfBhkZhF8QZ5jKMzYM"
    "CnkLdEUqihFvIZDOeENhIvPEniHO5DBsXn3Pr+nOeLOByYQW5T5KGVMi7upzMA9wrmNKdo"
    "N2i2gt74pHREQveMSZNVhotdivXkNerZwDPRfDVeETVONyNcR78zymQ6wHbmB5mKmOXc62"
    "z+Ky2j6rmn222q0Wc7uZxvalzsUKybUIpYopd9OUUgDTPbEV80PGgcRxQX3YgT6BWNMMRW"
    "gG+DxD/G7rHEW2IrkdrVdkB3iVlFx1imGRZ1UVELNMwJoRDBPkedVJJ+qbdKLKPnZFBpwC"
    "LrZIyFowRigiosODcuwk/4kX/c+5Kd4bXMljoAgeIToVi/4X7Z48GWoEkFPtw6IYYUDhrm"
    "cRqoFInYKPtnyckT4mM7lBL8/+vALHZIL5VKRlm1HyiJSHMmac0q2Q3eLg5KKp58ibbgf4"
    "je+MXOJH4Wgd2H2xOoRGxDdInuTaIHmSsUHyJElyc4vXLor1qpSGOhfUYjr3aKG0RBGR+o"
    "FcTgozTbv9hLSbPpSublpX8HCJdDM6g7PO4FyFDZSpGZyLHVWmUzirwC41eZKPloJOD3FM"
    "59MjCns5HK/NjCnvfTIk7hE4aHmykzGD1Hgjm9CePMzp7akBjBmgDAHHWGjHkDpZhMaNEO"
    "blY49/ezIQr6yHaNK/AiP1Xgbpb/HWWYgN8utvhpf4sZGNmp+OU0Cy6xdlp2/bl73O6WLY"
    "uMO3ffmDoLWY5jzec7rvnPCcZxRZiuadRTMHIppmXp9m1r50zbyqXCEs2qva7BKyDLsoeg"
    "pEREYDqkp/XXQjR0RITwmFpoQMhoBQ5dpYYYagbqdH78UYgmh3VqdYSozAmnfZBO8SHzY2"
    "hWrNMlTHkY0MloUJrTL5mjbkZv2koeBr/Ct7WXwNCOtUJv7xZ9l4+MrdDenMR2oCpHTyIz"
    "0DUh0iYUrZCyc6VQGE/eo1RPcg16L1Qcai9YFi0Zpgppzy0/fqRER0yqmC23R+aCj/9/8D"
    "4U20MA=="
)
