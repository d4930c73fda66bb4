-- One connection, three transactions: each decided afresh (threat case 16; ExOTA-Milter's
-- miltertest_conn_reuse).
dofile(testdata .. "/common.lua")
conn = session("127.0.0.1", exo)
check(envelope(conn, "carol@contoso.com", "erin@woodgrove.example") == SMFIR_CONTINUE, "1: rcpt")
check(message(conn, contoso) == SMFIR_ACCEPT, "1: own tenant not accepted")
check(envelope(conn, "mallory@woodgrove.example", "victim@sender.example") == SMFIR_CONTINUE, "2: rcpt")
check(message(conn, woodgrove) == SMFIR_REPLYCODE, "2: other tenant not refused")
check(envelope(conn, "carol@contoso.com", "erin@woodgrove.example") == SMFIR_CONTINUE, "3: rcpt")
check(message(conn, contoso) == SMFIR_ACCEPT, "3: own tenant not accepted")
mt.disconnect(conn)
