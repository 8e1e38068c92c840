from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


# Idempotency records of earlier versions keep a plain SHA-256 of the request, card number and CVC
# included: erase it. Such a record is no longer matched (its key simply runs its request again,
# which is safe: a retried checkout resumes the order of its hold, and the provider charges an
# order once). New records hold an HMAC of the request without its CVC ("hmac-sha256:...").
async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        UPDATE "idempotency_records" SET "request_hash" = 'erased' WHERE "request_hash" NOT LIKE 'hmac-sha256:%';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        SELECT 1;"""


MODELS_STATE = (
    "eJztXW1z2rgW/isevtx2hu0kkLebuXNnSEJatknoEJq7u03HK2wB2hiJleUk3N7+9ysJY4"
    "wtOzbB1Lj60gZZxy/P0cs5j46OvtUmxIaO++6zC2nt1PhWw2AC+R8r5XWjBqbTZakoYGDg"
    "yIoeryFLwMBlFFiMFw6B40JeZEPXomjKEMG8FHuOIwqJxSsiPFoWeRj97UGTkRFkY/kiX7"
    "7yYoRt+Azdxc/pgzlE0LFX3hPZ4tmy3GSzqSz7/LlzcSlriscNTIs43gQva09nbExwUN3z"
    "kP1OyIhrI4ghBQzaoc8Qb+l/7qJo/sa8gFEPBq9qLwtsOASeI8Co/WvoYUtgYMgniX8O/u"
    "2/Wqiaad50++Ztu2+atRzYWQQL3BFmAqhv3+f3XQIiS2viAecfWr03zaO3EgLishGVFyVc"
    "te9SEDAwF5WgL1GGE4CcONDnY0DVQAcCEaz5qxaD8gKgAiCtTcCz6UA8YmP+s3F4kILxXa"
    "snYea1JM6E94h5P7nxLzXm1wTeS3zl/zngXdTfDLqLgiW8yw68dXz3G3sZ8OW1EvGV11bx"
    "nQLXfSLUNsfAHecBOiZYQcQbh4eZWvRhSos+jCJOiQPdONK/3nZv1EgHAhGEbWQx43+Gg1"
    "xWFNKhEXrgIYch7L4Tz/sRg7QASNx54rp/O2GU31y3fosq4PyqexYdzcUNziLKsCgUkJmA"
    "xTVywa8wNIFqraxKRlXji75b/LGLXYF/oN3FzsyfVFJU0+9ct2/7retPK/q5aPXb4kpDls"
    "4ipW+OIjoLbmL8p9P/YIifxh/dm3ZUjUG9/h818U7AY8TE5MkEdmj+W5QuUPsu7KThQ2gO"
    "FwUDYD08AT6Ixa6QBkmqG780aUyiJQCDkdSZAFe8pm82th8hZip7cn4h1aCEooq2KCtuUZ"
    "InjoqZD+uwzCYRjw9B2zQvX4PvEk+GmJPLhAwEqmjR7GWxIXmtZItmL2ZDht8shnMfPjM1"
    "zhGx7aFd+wEDQr/9Wz/deglmyKvuzftF9ahJE7FeODAjQmfq1t3G3kQi3+EvCbAF4zZMSL"
    "7Mjb123r05b/f6pwYH3IKU3eP+h3ar32vzAWnM7TAK7/Htp26vf3tquFNCmXuPz7vX7Yvf"
    "hcgE2rN7fNm67lz9Ll5oghzxm1sRnbvWFS+BLkOPwLnHXX7b3qlB5My4RvfaP8rioUUtn5"
    "CDdhTzzyAdEjqZv05m3ywsVGbFlmkU432Et5s1PIEVwQo6Ajti+C8wiVn+YSVDbK+j4pCY"
    "VnCpFcxV4wIHrqHjVckNqNk3lbWWN69ly6MUYivB8EkgbEIyFZwTmxlmxGbifNiM2R0UWd"
    "D0DUSUj7BUyW6fu/wxXakQllIomiHrAXIzg9t2JqG2yiDs4ARPK1E+ohWEC9PGSVGdYCTe"
    "4JfG/sHxwUnz6EA8R75lUHKcoq3OTT8C9RNAjD/PpIRM8rT5qNyr2vvuzByFNHduUDNPMe"
    "Jkc2qX0kWN8nHa0aZgyHKyCrWLXuuSu7RS9h5/+nx21bn90L44NabegDeUMbS5E9viju/V"
    "lSi1xNc6DrTL4Zg+QuoqCZ/EUSgksb1xZ39Hxh0XAmqNzURUz9AoEdi4bGXw/Wej0WweN/"
    "aaRyeHB8fHhyd7AdDxS2mIn3XeC9BXmrdSC4wD62GF95AGf0hoe9Dv7UjT1musyVBXa401"
    "rHVvaq+p9VVJrfWyaF3hmftvH3IbF6bLGnqPymoKpjyKjvfvR4g9mHOZOixT7DJ1WdT6wj"
    "p1LCglgm8c3EtCIRrhj3AW84IiiPpxJXeL++wmqMvSZXem4CmITllpU/zr+TdDJr+/x5t4"
    "r3POrZHkSJ9Vy0/hcp75Ypcfe9ABCUvV4QieWwh2mNGKob3KrQva6JUgdRfUUxUB8jm21y"
    "HUlzepEkSFx9PJTpcUU7fokS/E1ZnBCPBicF2tP4aGFPqHa5AnbAjRU+NpDJgxJvyt68a8"
    "qxgA24bfKAwKh5AajBhvEP+FbAO5InhBCvOfb99FeZ0CH6MIAvwyh0Fc5Q0MOrWvrwkLTK"
    "MrlPO/wk/2R/vy7n7YIkWRHC44V1ZMAcnrYIFAFRfBGllWwRrJy2CNWFQItNRxbckAh0Qq"
    "CHEhu1AodzJyIOxXryK6G+fpsTcZ5FosXApsj8osfpTeHJuZGnOZwGPuSJzlmo32KMu+v6"
    "PkbX9HsV1/zzna67NuqglNVdFGE1FUtU2NYi3wDvIRXWEZTXSlE12B2/FKoivYQLWboL5I"
    "dIXb1ArRdd66PW9dtLPxXJqi2DpFMWdgFfREQM0mUxOS3dRb/vSWvxjWestf8pY/nTSi2K"
    "0yFmL5/B+/fgXxLYQOAbbNG3dCBKQa4pBIBVFuZmrFzZRW3Iy3YhFD8F+Cc+4NXspUEOfN"
    "e/I+GZpr/0BYRu8beE0g9S6FM+4QJaAjGpOh3s3Ytg1kjYkwGpsIJtlB/WeKk9hAsI30na"
    "sWbFM4C5EUKLGC5gtsRI5AiVyUxJdlyJsOQMgzrekAhPIY0DoAYTc9bh2AoAMQih2ldQDC"
    "LtEWOgBBByCUBUW900bvtClDAELiTpsMAQhFerZdjw3Ic0+yNjHPdnmxnubZEllt805txI"
    "X9EspOAR4Bkk1CkIFftXNbSucWjPg4MuKQKcfflOW4iNzWUpHssM31wD8rD8aL+tqgzQDu"
    "jqRr2SGzbApmDgGKFpuSGG0potc1K5wgKg5+bQqxLSDMp4Hap/bNRefm/anhy9/ji/ZV56"
    "7dExmhuBWDeC8VeaIu2i1ZAEqSHQowBidT1SJP4ngTFtFJdKKjzYq1GAM1fdE5KquXncu+"
    "7BzWvANcZkJKiYJDTU6uvyq11kC3Q8lTCkmur4M8fsLeFsypa+g9KqsTGJUtgVGOcJ4iGa"
    "uOzS0dwkQ26h60CF1lfBIr1dMYLLSsblJZP2Myiy6Gxp+hh/3yEc7+NMjQIPyCOMNUnrFh"
    "UMhboCtSUQx5C4F0yhsKE5kn6oY4k8OwefW6X9Od8mYD4wktin2UMqZE3NXnYB7gTMeU7A"
    "btFtJa1hWPkIhe8IgyazDXarFfvYK8WjEHes6Hq9wnqEblKoj35nlMh1gP3MDyMFMdu5xu"
    "n0VltX1WNvtstVvN53Yzie1LnIsVkmsRSiVT7qYppQCmAbEV80PKgcRRQX3YgT6BWNMMeW"
    "gG+DxF/G7rHEW2IrkdrZdkB3iZlFx2imGeZ1UVELNIwJoSDBPkeS04GCbks4UGM17ty0q2"
    "E38azxcjo7NUbDpLRZmd8pKMUDl8cpHBNWdQUUhExxNl2Hr+E0cJ9NriyOTOlSwVdDC2kC"
    "Ov8PLLTu9anihF8BDRSeicKVndP2hK1r5sdeThU0OAnHKfR8UIAwpGII2zDUSqFN+05ROT"
    "9Emc8T2AWbYA5jiJE8wmwhaaUvKIlOc+phwErpDd4nDmoonnyJtuB/iNb75c4EfhcB3Yfb"
    "EqRF9E92CeZNqDeZKyB/MkzqNzG9nOi/WqlIY6E9RiOvdorsxHIZHqgVxMljTN7P2EzJ4+"
    "965qWldQfbGMNjpJtE4SXYY9molJovOdhqazRKvALjQ/k4+WgrFf4phM2YcU9nLEX4sZE9"
    "77ZNTdI3DQ4vAoYwqp8UY2obo8L+rtqQGMKaAMAceYa8eQOplH3w0R5uUjj397PNavqIfo"
    "ZNYlGKnrKcsEFm+dudggv/5meIkfGzypGe0oBSS7fl4++6511bk4nQ8b9/iuK38QtBbTnM"
    "V7TvadY57zlCJL0bzTaOZARNPM69PM2peumFeVKUpGe1WbXXSWkR15D5oIyWhAVRm28+4V"
    "CQnpKSHXlJDCEBCqXBvLzRBU7YDqeoQhCHdndRan2AiseZdN8C7RYWNTqFYsCXYU2dBgmZ"
    "vQKpKv+ZUMagqyRhTX05iav8hgG6GVOs9Y6SavegpponNfFUmbeIO/oKUYcFNSaC9FNMTV"
    "ZKY2l5GJO7+nclO6zsO0tjp0HqZKkFE7Qj4l7t7RiZfy6VQnXtJc72a43iHCyB2vpfaIqN"
    "7WX7ZRtSR7IluQImtcU3jt/pV6muMOlnVKcxT3z+Kdv9J8S/a7E9MiJ7uGyXmRq+AaFpIh"
    "R3SqHAj71SuI7n6mOPP9lDjzfUWcOcFMydInZ/AIiehE1DmTd/zQyez7/wEXF9Cd"
)
