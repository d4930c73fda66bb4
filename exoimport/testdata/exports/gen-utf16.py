# Regenerates ps51-mx-utf16.json: what Windows PowerShell 5.1's "> file" writes (UTF-16 LE with a
# byte order mark, CRLF line ends).
import pathlib
src = pathlib.Path(__file__).with_name("ps51-mx.txt").read_text()
out = pathlib.Path(__file__).with_name("ps51-mx-utf16.json")
out.write_bytes(b"\xff\xfe" + src.replace("\n", "\r\n").encode("utf-16-le"))
