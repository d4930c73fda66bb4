-- A header cut short (README.md, "What Postfix passes"): the MTA passes the rest of the header,
-- woodgrove's CrossTenant-Id among it, as the start of the body. The milter refuses the message
-- as malformed, 554 5.6.0; the same header with a normal body relays.
dofile(testdata .. "/common.lua")
conn = session("127.0.0.1", exo)
check(envelope(conn, "carol@contoso.com", "erin@woodgrove.example") == SMFIR_CONTINUE, "rcpt not continued")
header(conn, contoso)
check(mt.bodystring(conn, "not a header line\r\nX-MS-Exchange-CrossTenant-Id: " .. woodgrove .. "\r\n\r\nbody\r\n") == nil, "mt.bodystring() failed")
-- The first paragraph ended within the chunk: the milter needs no more body.
check(mt.getreply(conn) == SMFIR_SKIP, "body: no skip")
check(mt.eom(conn) == nil, "mt.eom() failed")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "cut header not refused")
check(mt.eom_check(conn, MT_SMTPREPLY, "554", "5.6.0", "Malformed message header"), "not 554 5.6.0")

check(envelope(conn, "carol@contoso.com", "erin@woodgrove.example") == SMFIR_CONTINUE, "rcpt not continued")
header(conn, contoso)
check(mt.bodystring(conn, "Hello,\r\n\r\nX-MS-Exchange-CrossTenant-Id: " .. woodgrove .. "\r\n") == nil, "mt.bodystring() failed")
check(mt.getreply(conn) == SMFIR_SKIP, "body: no skip")
check(mt.eom(conn) == nil, "mt.eom() failed")
check(mt.getreply(conn) == SMFIR_ACCEPT, "normal body not accepted")
mt.disconnect(conn)
