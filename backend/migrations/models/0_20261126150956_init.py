from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "users" (
    "id" UUID NOT NULL PRIMARY KEY,
    "email" VARCHAR(254) NOT NULL UNIQUE,
    "name" VARCHAR(120) NOT NULL,
    "password_hash" VARCHAR(255) NOT NULL,
    "roles" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS "venues" (
    "id" UUID NOT NULL PRIMARY KEY,
    "owner_id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "city" VARCHAR(120) NOT NULL,
    "address" VARCHAR(300) NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "sections" JSONB NOT NULL,
    "seat_count" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_venues_owner_i_c5e401" ON "venues" ("owner_id");
CREATE TABLE IF NOT EXISTS "events" (
    "id" UUID NOT NULL PRIMARY KEY,
    "owner_id" UUID NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "description" TEXT NOT NULL,
    "category" VARCHAR(16) NOT NULL,
    "performer" VARCHAR(200) NOT NULL,
    "starts_at" TIMESTAMPTZ NOT NULL,
    "ends_at" TIMESTAMPTZ NOT NULL,
    "on_sale_at" TIMESTAMPTZ,
    "currency" VARCHAR(3) NOT NULL,
    "price_categories" JSONB NOT NULL,
    "max_tickets_per_order" INT NOT NULL,
    "waiting_room" JSONB,
    "status" VARCHAR(16) NOT NULL,
    "version" INT NOT NULL,
    "search_version" BIGINT NOT NULL,
    "seat_count" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "published_at" TIMESTAMPTZ,
    "venue_id" UUID NOT NULL REFERENCES "venues" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_events_owner_i_885100" ON "events" ("owner_id");
CREATE INDEX IF NOT EXISTS "idx_events_status_c1e5d2" ON "events" ("status");
COMMENT ON COLUMN "events"."category" IS 'CONCERT: concert\nTHEATRE: theatre\nSPORTS: sports\nCOMEDY: comedy\nFAMILY: family\nFESTIVAL: festival\nOTHER: other';
COMMENT ON COLUMN "events"."status" IS 'DRAFT: draft\nPUBLISHED: published\nCANCELLED: cancelled';
CREATE TABLE IF NOT EXISTS "event_seats" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "label" VARCHAR(32) NOT NULL,
    "section" VARCHAR(120) NOT NULL,
    "row" VARCHAR(16) NOT NULL,
    "number" INT NOT NULL,
    "category" VARCHAR(64) NOT NULL,
    "x" INT NOT NULL,
    "y" INT NOT NULL,
    "event_id" UUID NOT NULL REFERENCES "events" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_event_seats_event_i_f86efa" UNIQUE ("event_id", "label")
);
COMMENT ON TABLE "event_seats" IS 'The event''s own seat: what holds, orders and tickets refer to (its id is the seat id).';
CREATE TABLE IF NOT EXISTS "venue_seats" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "label" VARCHAR(32) NOT NULL,
    "section" VARCHAR(120) NOT NULL,
    "row" VARCHAR(16) NOT NULL,
    "number" INT NOT NULL,
    "category" VARCHAR(64) NOT NULL,
    "x" INT NOT NULL,
    "y" INT NOT NULL,
    "venue_id" UUID NOT NULL REFERENCES "venues" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_venue_seats_venue_i_53396a" UNIQUE ("venue_id", "label")
);
CREATE TABLE IF NOT EXISTS "outbox" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "aggregate_id" VARCHAR(64) NOT NULL,
    "kind" VARCHAR(64) NOT NULL,
    "version" INT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "available_at" TIMESTAMPTZ NOT NULL,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "delivered_at" TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS "idx_outbox_aggrega_b255b3" ON "outbox" ("aggregate_id");
CREATE INDEX IF NOT EXISTS "idx_outbox_status_7b67c3" ON "outbox" ("status", "available_at");
COMMENT ON COLUMN "outbox"."status" IS 'PENDING: pending\nDELIVERED: delivered\nDEAD: dead';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXW1zmzgQ/isMX66dyWUSO3FymZubcWzS+urYHcfttU06jAKKzQRLLoi8XC///SQZAw"
    "ZEjGMccPWlrVdaEM+upH2T+lOdYBPa7u4nFzrqifJTRWAC6T8W6DuKCqbTkMoIBFzbvKNH"
    "e3AKuHaJAwxCiTfAdiElmdA1HGtKLIwoFXm2zYjYoB0tNApJHrJ+eFAneATJmA/k8jslW8"
    "iED9Cd/5ze6jcWtM2FcVomezen6+RxymmfPnXaZ7wne921bmDbm6Cw9/SRjDEKunueZe4y"
    "HtY2ggg6gEAz8hlslP7nzkmzEVMCcTwYDNUMCSa8AZ7NwFD/vPGQwTBQ+JvYHwd/+UOLdN"
    "P1Xn+oX2hDXVdzYGdgxHC3EGFA/XyaPTcEhFNV9oLW++bgTb3xlkOAXTJyeCOHS33ijICA"
    "GSsHPUQZToBlJ4FujYGTDnTAEMOaDrUYlOcAFQCpOgEPug3RiIzpz9rhQQbGn5sDDjPtxX"
    "HGdEbM5knPb6rN2hjeIb787xzwzvuvB905IYQ3nMAbx3e/trcEvrSXEF/etojvFLjuPXZM"
    "fQzccR6gE4xbiHjt8HApjT7M0OjDOOIOtqGbRPrvi34vHemAIYawaRlE+U+xLZcUhXRkhb"
    "72LJtYyN1l73uNRZoBxJ48cd0fdhTlN+fNL3EBtLr90/hqzh5wGhOG4UAGmQ5IUiJt2kKs"
    "CUyXyiJnXDQ+6+78H1WcCvQDzT6yH/1NJUM0w865djFsnn9ckE+7OdRYS41TH2PUN42YzI"
    "KHKP90hu8V9lP51u9pcTEG/YbfVDYm4BGsI3yvAzOy/82pc9SemJ10cxvZwxnhGhi394Au"
    "YokWXMOivsmmSW0SpwAERlxmDFw2TN9s1O4gImn25Kwh06CErIu0KLfcosT3FBU9H9ZRnn"
    "UinlyCNmlevgTfEE9iETuXCRkwbKNFs7eMDUl7iS2avYQNGR1ZAuchfCDpOMfYNoe2+goL"
    "wlD7Msy2XoIdstvvvZt3j5s0MeuFAjPCzmO6dmvIm3DkO3SQABkwacNE+Mus7Gqr32tpg+"
    "GJQgE3oEOu0PC91hwONLogjakd5sArdPGxPxhenCjuFDvEvUKt/rnW/spYJtB8vEJnzfNO"
    "9ysb0MSy2W9qRXQ+N7uUAl1i3QH7CvXpYwcnCuY74wrTa7+xjIcWt3wiDloj4Z9B5wY7k9"
    "lwlvbNokxlFmyZVjE6R6jerOAJLDBuoSNQEcN/jknC8o8KGSJzFRFH2KSASy1gKhoX2HAF"
    "GS9yrkHMvqkspbx+KRue40BkCAwfQcAmwrOFe2J9iR2xLtwP6wm7w7EMqPsGopUvYJnGu/"
    "nY5etMpUKilEzQxDJuITUzqG2nY8dMMwg7SOBpCfljUrFQYdI4LmoSjNgIfq/tHxwdHNcb"
    "B+w9fJQB5ShDWp3eMAb1PbAIfZ/uYDzJo/Nxvhfpe3V2jkLUnRrUxEtZcZZzakPuolb5ZN"
    "jRdMANyRlVUNuD5hl1aTnvFfr46bTbuXivtU+UqXdNFWUMTerENqnj2+0yqsG+1rahWQ7H"
    "9A46bmrAR7gKRTg2t+7sV2TdcSFwjLEuRPXUGgmBTfJuDb5/1Gr1+lFtr944Pjw4Ojo83g"
    "uATjZlIX7aecdAX1DvVCkQCqyHUryHLPgjTJuDfq8iqi1zrGKotyvHGpW6NzVXlPoip5R6"
    "WaSe4pn7o4+4jXPTZQW5x3llCKY8gk7O7zuIPJgzTR3lKTZNXRaxPpOnThSlxPBNgnuGHW"
    "iN0Af4mPCCYoj6dSWf58+pJqghNZzODrgPqlMWdIp+Pf1mSPj3D6iKDzotao2IK30WLb8U"
    "l/PUZzv7MIA2EKSqoxU8FxBUOKKVQPup8FooDpioHmqO5jM1UXogvWcLo9ThGCqc6TdXwf"
    "dIYawnyv0YEGWM6ah3FB4dcxWATMUPmikOvIGOQrDyxqK/LFOxXJZ45sz059vduE9e4GtS"
    "CrguZzCwVqpg0Fa/v6SkK8vVTF27U3wcf6aWt3J9g+6luNRrJqyEAMQ5jIBhGxMYtWUyGD"
    "VxCqOWyOhDI70mSQxwhGULIS7kBIFDDcQcCPvdtxHdtcdYkTe5zpXoCRk2F4YqfpVeXyQq"
    "s15OEIOqSI3cikrbWObMVkN8ZKuROLH1kENfH6SqClQ1RUeFKKbppkRRDbyDfEGKKI8MUm"
    "QHKQK344VBiuDwSzVBfTZIEdWphSBFq3nRara1rBhFkR74LDiU4n0HUSOx580DL/I0kjyN"
    "lMBankYSn0aS59mLreI3LJLPvPf7byG+hXj7wDSpcguKs9IhjrBsIcr1pbS4nqHF9aQWs/"
    "TmvxjlPLYY8mwhzut3VP1YX67S5iiPLGl+SY1nlSqtKuTxymIrMdTVLLtZw4UWMYd9HXnu"
    "CspfmOOOr0svxIf7zrIOIGcUQlQHsIDmM9GIHHUAuUISl2E1jsyv59nWZH69PAa0zK9X0+"
    "OW+XWZXy92lZb59SqFLWR+XebXy4KiPAQgDwGUIb8uPATwyvn1vkeu8cOAR20Snm3YuJPl"
    "2WLebf1ObcyFvYwcnAd3wOIqwYKB36VzW0rnFozoOjKikKWuvxnpuBjfxm5JqLDNdUs/Kw"
    "/G8/7SoF0C3IrcJFEhs2wKHm0MUjQ2486mkEXmNbf47pok+OoUIpNBmE8C6ket1+703p0o"
    "Pv8VamvdzmdtwC6roVaMRWcpu8KmrTU5AZTk4hpACJxM05I8wvUmyiLv94ivNgvWYgLU7K"
    "RznFemncuedo5K3gYu0aHj4JQYqvje70WulRa6Ct3rUMi937LI4xecbcGeuoLc47zybpWy"
    "3a2So5ynyIhVEzqWMVZTwlV+y05WrAqEfUpzJuRXCUe90J4TB5qE/rk4/iF20LchBFLIfw"
    "vHJlUOhP3uW4ju/lIF9fsZBfX7KcdCMCKpRxXFEZEIi4yI5IyIvOpm9vQ/WTUqmw=="
)
