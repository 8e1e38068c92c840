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
    "eJztl21P2zAQx79KlFdM2qoSWkDTNKlAJzqNdoKwTUyT5SZuYuHYIXYGFet3n8/NU5PStd"
    "IKDO1N2/zvLr78LvZd7+1I+ITJ1qUkif3Wurc5joj+saC/tmwcx6UKgsJjZhxT7WEUPJYq"
    "wZ7S4gQzSbTkE+klNFZUcK3ylDEQhacdKQ9KKeX0JiVIiYCo0CTy/YeWKffJHZH5ZXyNJp"
    "QwfyFP6sPaRkdqGhvt8nJw8sF4wnJj5AmWRrz0jqcqFLxwT1PqtyAGbAHhJMGK+JXHgCyz"
    "x82lecZaUElKilT9UvDJBKcMYNjvJin3gIFlVoKPzvsstYobQsORiy76LkL2Buw8wYE75Q"
    "pA3c/m9y2BGNWGBY5Pe+c7e/uvDAIhVZAYo8Flz0wgVngeaqCXlEmEKWuCPg5xshx0EVBj"
    "rVPdDuUc0BaQ2hG+Q4zwQIX60ul2VjD+0js3mLWX4Sz0jpjvk2FmcuY24F3yNd8b4M39/w"
    "7dXCjxlhv40fnuOu01+GqvB/ka2yLfGEt5KxIfhViGm4BuBL5A4k63u9Yb3V3xRnfrxBPB"
    "iGyS/ngxGi4nXQTUCPvUU9Yvi1GptkW6ckKPU8oU5bIF6z3FIQ2A4M6RlDesSnnnrPetXo"
    "DjT6Oj+mkONziqFcNLCCBDWDUrcqItikZkeVUWI+ulyUJb+Y9/cSvoB/RHnE2zprKiNO7g"
    "rH/h9s4+L9TnpOf2weIYdVpTd/ZrNStuYn0duKcWXFpXo2G/XsbCz72yISecKoG4uEXYr/"
    "S/XM2pzWBOmlxXejgIY+xd32J9iDUswhEP+TZNkRPVFcxxYGoGcCHNbGzskYR64bKBMrOs"
    "HClx6fNsZsoBVxuMlPrtqu+FrGLPd8oJIIU3zm7noHO4t9851C4mzUI5WLE3BkP3DyPkT/"
    "03AVLaoPlWQv633fXaLmyqDQhn7i+Q7m57rTGyvWKMbDfGSL2iInxJE314rKmEPP5gs0Xa"
    "jzHCPGkzm/0GC4NyBg=="
)
