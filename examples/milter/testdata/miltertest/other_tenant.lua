-- Another tenant's mail through the same Exchange Online is refused at end of message
-- (threat case 1, EchoSpoofing).
dofile(testdata .. "/common.lua")
conn = session("127.0.0.1", exo)
check(envelope(conn, "mallory@woodgrove.example", "victim@sender.example") == SMFIR_CONTINUE, "rcpt not continued")
check(message(conn, woodgrove) == SMFIR_REPLYCODE, "eom not refused")
mt.disconnect(conn)
