-- A client without a verified certificate, and one with a near-miss name, are refused at RCPT
-- for a foreign recipient (threat cases 3, 6).
dofile(testdata .. "/common.lua")
conn = session("127.0.0.1", "")
check(envelope(conn, "carol@contoso.com", "victim@sender.example") == SMFIR_REPLYCODE, "no certificate: rcpt not refused")
mt.disconnect(conn)
conn = session("127.0.0.1", "mail.protection.outlook.comx")
check(envelope(conn, "carol@contoso.com", "victim@sender.example") == SMFIR_REPLYCODE, "near miss: rcpt not refused")
mt.disconnect(conn)
