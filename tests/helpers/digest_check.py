#!/usr/bin/env python3
"""Check the Digest Authorization field of a recorded request (RFC 7616).

usage: digest_check.py REQUEST-FILE USER PASS

Recomputes the response from the field's own realm, nonce, uri, cnonce, nc,
qop and algorithm with hashlib (apart from hcli's code) and exits 1 when it
differs, when uri is not the request-target, or when userhash=true and the
username is not H(user:realm).  On success prints one line:
  algorithm=A nc=N nonce=X username=U qop=Q
"""
import hashlib
import re
import sys


def params(value):
    out = {}
    for m in re.finditer(r'([A-Za-z*-]+)=("((?:[^"\\]|\\.)*)"|[^,\s]+)', value):
        v = m.group(3) if m.group(3) is not None else m.group(2)
        out[m.group(1).lower()] = re.sub(r'\\(.)', r'\1', v)
    return out


def main():
    path, user, password = sys.argv[1:4]
    head = open(path, 'rb').read().split(b'\r\n\r\n', 1)[0].decode('utf-8', 'replace')
    lines = head.split('\r\n')
    method, target = lines[0].split(' ')[:2]
    auth = [ln.split(':', 1)[1].strip() for ln in lines[1:]
            if ln.lower().startswith('authorization:')]
    if len(auth) != 1 or not auth[0].startswith('Digest '):
        sys.exit('no single Digest Authorization field: %r' % auth)
    p = params(auth[0][7:])
    alg = p.get('algorithm', 'MD5')
    name = {'md5': 'md5', 'md5-sess': 'md5', 'sha-256': 'sha256',
            'sha-256-sess': 'sha256'}[alg.lower()]

    def h(*parts):
        return hashlib.new(name, ':'.join(parts).encode()).hexdigest()

    ha1 = h(user, p['realm'], password)
    if alg.lower().endswith('-sess'):
        ha1 = h(ha1, p['nonce'], p['cnonce'])
    ha2 = h(method, p['uri'])
    if 'qop' in p:
        want = h(ha1, p['nonce'], p['nc'], p['cnonce'], p['qop'], ha2)
    else:
        want = h(ha1, p['nonce'], ha2)
    if p['uri'] != target:
        sys.exit('uri %r is not the request-target %r' % (p['uri'], target))
    if p.get('response') != want:
        sys.exit('response %r, want %r' % (p.get('response'), want))
    if p.get('userhash') == 'true' and p['username'] != h(user, p['realm']):
        sys.exit('username %r is not H(user:realm)' % p['username'])
    print('algorithm=%s nc=%s nonce=%s username=%s qop=%s' % (
        alg, p.get('nc', '-'), p['nonce'], p.get('username', p.get('username*')),
        p.get('qop', '-')))


main()
