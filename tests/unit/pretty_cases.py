#!/usr/bin/env python3
"""
Writes tests/unit/pretty_cases.h, the table of tests/unit/test_pretty.c:
  python3 tests/unit/pretty_cases.py > tests/unit/pretty_cases.h

Valid JSON: the expected bytes are Python's json.dumps(indent=N,
ensure_ascii=False) plus the final newline `python3 -m json.tool` prints,
when Python writes every token as it was received. Where it would not
(escapes, 1e400, -0), the expectation is written here and checked to load
to the same value and to have the same layout as Python's (the tokens put
back in Python's spelling). Not JSON: written here, by the raw-tail rule.

Each row also has the output with json.sort_keys: Python's
json.dumps(indent=N, sort_keys=True) where Python's layout is used; a
written expectation must have its keys in order already. Not JSON: the same
output as without sort_keys.
"""
import json
import math
import sys

OK, BAD = True, False

# (name, input, expected or None for Python's, ok, options)
CASES = [
    ("empty object", '{}', None, OK, {}),
    ("empty array", '[]', None, OK, {}),
    ("nested empties", '[{},[],{"a":[]},{"b":{}}]', None, OK, {}),
    ("object", '{"a":1,"b":[true,false,null],"c":"x"}', None, OK, {}),
    ("spaces dropped", ' \t\r\n{ "a" : [ 1 , 2 ] ,\n"b":{ } } \n', None, OK, {}),
    ("top string", '"hello"', None, OK, {}),
    ("top number", '42', None, OK, {}),
    ("top number then space", '42 ', None, OK, {}),
    ("top literal", 'null', None, OK, {}),
    ("deep mix", '{"a":{"b":{"c":[1,[2,[3,{"d":[]}]]]}}}', None, OK, {}),
    ("numbers", '[0,-0,1,-1,0.5,-0.5,1e5,1E5,1e+5,1e-5,2.5E-3,123456789]', "[\n    0,\n    -0,\n    1,\n    -1,\n    0.5,\n    -0.5,\n    1e5,\n    1E5,\n    1e+5,\n    1e-5,\n    2.5E-3,\n    123456789\n]\n", OK, {}),
    ("huge numbers kept", '[1e400,-1e400,12345678901234567890,0.10000000000000000000001,1.0]',
     "[\n    1e400,\n    -1e400,\n    12345678901234567890,\n    0.10000000000000000000001,\n    1.0\n]\n", OK, {}),
    ("every escape kept", r'["\"","\\","\/","\b","\f","\n","\r","\t","\u0041","\u00e9","\uD83D\uDE00","\ud83d\ude00","\u0000"]',
     '[\n    "\\"",\n    "\\\\",\n    "\\/",\n    "\\b",\n    "\\f",\n    "\\n",\n    "\\r",\n    "\\t",\n    "\\u0041",\n    "\\u00e9",\n    "\\uD83D\\uDE00",\n    "\\ud83d\\ude00",\n    "\\u0000"\n]\n', OK, {}),
    ("lone surrogate escape kept", r'["\ud800","\uDFFF x"]', '[\n    "\\ud800",\n    "\\uDFFF x"\n]\n', OK, {}),
    ("utf-8 kept", '{"caf\u00e9":"\u65e5\u672c \U0001F600 \u00a0\u007f"}', None, OK, {}),
    ("key with escapes", r'{"a\"b":1,"\u0063":2}', '{\n    "a\\"b": 1,\n    "\\u0063": 2\n}\n', OK, {}),
    ("same key twice kept", '{"a":1,"a":2}', '{\n    "a": 1,\n    "a": 2\n}\n', OK, {}),
    ("bom kept", '\ufeff{"a":1}', '\ufeff{\n    "a": 1\n}\n', OK, {}),
    ("members out of order", '{"b":{"y":1,"x":[{"d":0,"c":{}}]},"a":[{"z":null,"m":true}],"B":0,"":1}', None, OK, {}),
    ("members out of order, indent 2", '[{"b":1,"a":2},{"d":[],"c":{}}]', None, OK, {"indent": 2}),
    ("same key twice, out of order", '{"b":1,"a":2,"b":0,"a":3}', '{\n    "b": 1,\n    "a": 2,\n    "b": 0,\n    "a": 3\n}\n', OK,
     {"sorted": '{\n    "a": 2,\n    "a": 3,\n    "b": 1,\n    "b": 0\n}\n'}),
    ("ndjson out of order", '{"b":1,"a":2}\n{"d":{"f":0,"e":1}}\n', '{\n    "b": 1,\n    "a": 2\n}\n{\n    "d": {\n        "f": 0,\n        "e": 1\n    }\n}\n', OK,
     {"ndjson": 1, "sorted": '{\n    "a": 2,\n    "b": 1\n}\n{\n    "d": {\n        "e": 1,\n        "f": 0\n    }\n}\n'}),
    ("keys in code-point order, escapes decoded", '{"\\u00e9":1,"z":2,"\\ud83d\\ude00":3,"\\uffff":4,"\\ud800":5,"\\u0041":6,"a\\"":7,"a":8}',
     '{\n    "\\u00e9": 1,\n    "z": 2,\n    "\\ud83d\\ude00": 3,\n    "\\uffff": 4,\n    "\\ud800": 5,\n    "\\u0041": 6,\n    "a\\"": 7,\n    "a": 8\n}\n', OK,
     {"sorted": '{\n    "\\u0041": 6,\n    "a": 8,\n    "a\\"": 7,\n    "z": 2,\n    "\\u00e9": 1,\n    "\\ud800": 5,\n    "\\uffff": 4,\n    "\\ud83d\\ude00": 3\n}\n'}),
    ("indent 2", '{"a":[1,{"b":2}]}', None, OK, {"indent": 2}),
    ("indent 0", '{"a":[1,{"b":2},[]]}', None, OK, {"indent": 0}),
    ("indent 8", '[[1]]', None, OK, {"indent": 8}),
    ("ndjson", '{"a":1}\n{"b":[2]}\n', '{\n    "a": 1\n}\n{\n    "b": [\n        2\n    ]\n}\n', OK, {"ndjson": 1}),
    ("ndjson crlf and blank lines", '1\r\n\r\n"x"\r\n[]', '1\n"x"\n[]\n', OK, {"ndjson": 1}),
    ("ndjson no separator", '{}[]"a"1 2', '{}\n[]\n"a"\n1\n2\n', OK, {"ndjson": 1}),
    ("ndjson bad line", '{"a":1}\n{"b":}\n{"c":3}\n', '{\n    "a": 1\n}\n{\n    "b":}\n{"c":3}\n', BAD, {"ndjson": 1}),
    ("bad inside an object out of order", '[{"b":1},{"d":{"z":[1, 2] ,"y":0}  , x}]', '[\n    {\n        "b": 1\n    },\n    {\n        "d": {\n            "z": [\n                1,\n                2\n            ],\n            "y": 0\n        }, x}]', BAD, {}),
    ("cut inside an object out of order", '{"b":{"d":1,"c":2},"a":[3,\n', '{\n    "b": {\n        "d": 1,\n        "c": 2\n    },\n    "a": [\n        3,\n', BAD, {}),
    # not JSON: what was formatted stays, the rest follows as received
    ("empty body", '', '', BAD, {}),
    ("only whitespace", ' \n\t ', ' \n\t ', BAD, {}),
    ("not json at all", '<html>', '<html>', BAD, {}),
    ("second value", '{"a":1} {"b":2}', '{\n    "a": 1\n}\n {"b":2}', BAD, {}),
    ("trailing garbage", '[1]x', '[\n    1\n]\nx', BAD, {}),
    ("trailing comma", '[1,2,]', '[\n    1,\n    2,]', BAD, {}),
    ("whitespace before bad byte", '[1,  \n\t x]', '[\n    1,  \n\t x]', BAD, {}),
    ("missing colon", '{"a" 1}', '{\n    "a" 1}', BAD, {}),
    ("missing comma", '[1 2]', '[\n    1 2]', BAD, {}),
    ("colon in array", '[1:2]', '[\n    1:2]', BAD, {}),
    ("mismatched close", '{"a":[1}', '{\n    "a": [\n        1}', BAD, {}),
    ("close at top", ']', ']', BAD, {}),
    ("number key", '{1:2}', '{1:2}', BAD, {}),
    ("leading zero", '[01]', '[\n    01]', BAD, {}),
    ("bare minus", '[-]', '[\n    -]', BAD, {}),
    ("dot without digits", '[1.]', '[\n    1.]', BAD, {}),
    ("exponent without digits", '[1e+]', '[\n    1e+]', BAD, {}),
    ("plus sign", '[+1]', '[+1]', BAD, {}),
    ("hex number", '[0x1]', '[\n    0x1]', BAD, {}),
    ("nan", '[NaN]', '[NaN]', BAD, {}),
    ("bad literal", '[tru e]', '[\n    tru e]', BAD, {}),
    ("literal capital", '[True]', '[True]', BAD, {}),
    ("literal then letters", '[nullx]', '[\n    nullx]', BAD, {}),
    ("single quotes", "['a']", "['a']", BAD, {}),
    ("bad escape", r'["a\x"]', '[\n    "a\\x"]', BAD, {}),
    ("short unicode escape", r'["\u12G4"]', '[\n    "\\u12G4"]', BAD, {}),
    ("raw newline in string", '["a\nb"]', '[\n    "a\nb"]', BAD, {}),
    ("raw tab in string", '{"a\tb":1}', '{\n    "a\tb":1}', BAD, {}),
    ("comment", '{"a":1 /* c */}', '{\n    "a": 1 /* c */}', BAD, {}),
    ("bom then not json", '\ufeffhello', '\ufeffhello', BAD, {}),
    ("trailing whitespace kept before garbage", '{} \r\n;', '{}\n \r\n;', BAD, {}),
    # truncated: what was formatted stays, held whitespace follows
    ("truncated object", '{"a": [1, ', '{\n    "a": [\n        1, ', BAD, {}),
    ("truncated string", '{"a":"xy', '{\n    "a": "xy', BAD, {}),
    ("truncated escape", '["\\u00', '[\n    "\\u00', BAD, {}),
    ("truncated number", '[1.', '[\n    1.', BAD, {}),
    ("truncated number in array", '[12', '[\n    12', BAD, {}),
    ("truncated literal", '[fal', '[\n    fal', BAD, {}),
    ("truncated after key", '{"a"  ', '{\n    "a"  ', BAD, {}),
    ("truncated top number exponent", '1e', '1e', BAD, {}),
    ("ndjson truncated", '{"a":1}\n{"b":', '{\n    "a": 1\n}\n{\n    "b":', BAD, {"ndjson": 1}),
]

# Not UTF-8: C escapes, so written as bytes.
BYTE_CASES = [
    ("utf-8 overlong", b'["a\xc0\xafb"]', b'[\n    "a\xc0\xafb"]', BAD, {}),
    ("utf-8 surrogate", b'["\xed\xa0\x80"]', b'[\n    "\xed\xa0\x80"]', BAD, {}),
    ("utf-8 above U+10FFFF", b'["\xf4\x90\x80\x80"]', b'[\n    "\xf4\x90\x80\x80"]', BAD, {}),
    ("utf-8 lone continuation", b'["\x80"]', b'[\n    "\x80"]', BAD, {}),
    ("utf-8 cut short", b'["\xe6\x97x"]', b'[\n    "\xe6\x97x"]', BAD, {}),
    ("latin-1 byte", b'{"caf\xe9":1}', b'{\n    "caf\xe9":1}', BAD, {}),
    ("nul byte outside strings", b'[1,\x00]', b'[\n    1,\x00]', BAD, {}),
    ("broken bom", b'\xef\xbbx', b'\xef\xbbx', BAD, {}),
    ("bom alone", b'\xef\xbb\xbf', b'\xef\xbb\xbf', BAD, {}),
    ("truncated bom", b'\xef', b'\xef', BAD, {}),
    ("utf-8 4-byte max", b'["\xf4\x8f\xbf\xbf"]', b'[\n    "\xf4\x8f\xbf\xbf"\n]\n', OK, {}),
]


def python_layout(text, indent, sort_keys=False):
    return json.dumps(json.loads(text), indent=indent, ensure_ascii=False, sort_keys=sort_keys) + "\n"


def keys_in_order(text):
    """Every object's keys of the JSON text(s) are in sorted order already."""
    good = [True]

    def hook(pairs):
        keys = [k for k, _ in pairs]
        good[0] = good[0] and keys == sorted(keys)
        return dict(pairs)
    dec, at, text = json.JSONDecoder(object_pairs_hook=hook), 0, text.lstrip("\ufeff")
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        _, at = dec.raw_decode(text, at)
    return good[0]


def spelled_like_python(expected, indent):
    """The layout of expected, with its tokens put back in Python's spelling."""
    return python_layout(expected.lstrip("\ufeff"), indent)


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def c_str(b):
    out, prev_hex = [], False
    for ch in b:
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
            prev_hex = False
        elif c == "\n":
            out.append("\\n")
            prev_hex = False
        elif c == "\t":
            out.append("\\t")
            prev_hex = False
        elif 32 <= ch < 127 and not (prev_hex and c in "0123456789abcdefABCDEF"):
            out.append(c)
            prev_hex = False
        else:
            out.append("\\x%02x" % ch)
            prev_hex = True
    return '"' + "".join(out) + '"'


def main():
    rows = []
    for name, inp, want, ok, opt in CASES:
        indent = opt.get("indent", 4)
        if ok and not opt.get("ndjson"):
            py = python_layout(inp.lstrip("\ufeff"), indent)
            if want is None:
                want = py
            else:
                assert same_value(json.loads(want.lstrip("\ufeff")), json.loads(inp.lstrip("\ufeff"))), name
                # same lines and indentation as Python's, token spellings aside
                assert spelled_like_python(want, indent).count("\n") == py.count("\n"), name
                assert [len(l) - len(l.lstrip()) for l in spelled_like_python(want, indent).split("\n")] == \
                       [len(l) - len(l.lstrip()) for l in py.split("\n")], name
        elif ok:
            values, at, dec = [], 0, json.JSONDecoder()
            while inp[at:].strip():
                at += len(inp[at:]) - len(inp[at:].lstrip())
                v, at = dec.raw_decode(inp, at)
                values.append(v)
            assert "".join(python_layout(json.dumps(v), indent) for v in values) == want, name
        assert want is not None, name
        sorted_want = want
        if ok and not keys_in_order(inp):
            if "sorted" in opt:
                sorted_want = opt["sorted"]
                assert keys_in_order(sorted_want), name
                assert sorted(sorted_want) == sorted(want), name  # the same bytes, moved
            else:
                assert want == python_layout(inp, indent), name
                sorted_want = python_layout(inp, indent, sort_keys=True)
        rows.append((name, inp.encode(), want.encode(), ok, opt, sorted_want.encode()))
    rows += [r + (r[2],) for r in BYTE_CASES]
    print("/* Generated by tests/unit/pretty_cases.py: do not edit. */")
    for name, inp, want, ok, opt, sorted_want in rows:
        print("{%s, %s, %d, %s, %d, %d, %d, %s, %s, %d}," % (
            c_str(name.encode()), c_str(inp), len(inp), c_str(want), len(want),
            opt.get("indent", 4), opt.get("ndjson", 0), "true" if ok else "false",
            c_str(sorted_want), len(sorted_want)))


if __name__ == "__main__":
    sys.exit(main())
