-- Verified Exchange Online with contoso's header relays: accepted, the verdict header inserted,
-- the forged copy deleted (docs/threat-model.md#trust-rules; docs/threat-model.md#threat-18).
dofile(testdata .. "/common.lua")
conn = session("127.0.0.1", exo)
check(envelope(conn, "carol@contoso.com", "erin@woodgrove.example") == SMFIR_CONTINUE, "rcpt not continued")
check(message(conn, contoso) == SMFIR_ACCEPT, "eom not accepted")
check(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"), "no verdict header inserted")
check(mt.eom_check(conn, MT_HDRCHANGE, "Authentication-Results"), "forged verdict header not deleted")
mt.disconnect(conn)
