#!/usr/bin/env python3
"""`cmake --install` into a clean prefix: the files land where the GNU conventions put them,
the installed program scans the sample (its addresses are tshark's, tests/data/README.md), the
man page renders without a groff warning and documents every option `--help` lists, and the
bash, zsh and fish completions complete subcommands, formats, sort keys, options and the
interfaces the kernel lists. Usage: install_test.py BUILD_DIR SOURCE_DIR"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import support

BUILD, SOURCE = sys.argv[1], sys.argv[2]
check = support.Checks()
prefix = tempfile.mkdtemp(prefix="ouiscan-install-")


empty = os.path.join(prefix, "empty")  # completions run here: no file name starts with "l"
os.makedirs(empty)


def sh(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=empty, **kw)


p = sh("cmake", "--install", BUILD, "--prefix", prefix)
expected = ["bin/ouiscan", "share/man/man1/ouiscan.1",
            "share/bash-completion/completions/ouiscan",
            "share/zsh/vendor-completions/_ouiscan",
            "share/fish/vendor_completions.d/ouiscan.fish",
            "share/doc/ouiscan/README.md", "share/doc/ouiscan/output.md"]
missing = [f for f in expected if not os.path.isfile(os.path.join(prefix, f))]
check("cmake --install: program, man page, three completions and docs in their GNU places",
      p.returncode == 0 and not missing, (p.returncode, p.stderr[-500:], missing))

ouiscan = os.path.join(prefix, "bin/ouiscan")
env = dict(os.environ, PATH=f"{prefix}/bin:{os.environ.get('PATH', '')}", HOME=prefix,
           XDG_DATA_HOME=f"{prefix}/data")
p = sh(ouiscan, "--version", env=env)
check("the installed program runs: ouiscan --version", p.returncode == 0 and
      re.fullmatch(r"ouiscan \d+\.\d+\.\d+\n", p.stdout), (p.returncode, p.stdout, p.stderr))
p = sh(ouiscan, "--no-progress", "-f", "json", f"{SOURCE}/tests/data/sample.pcapng", env=env)
got = {a["address"] for a in json.loads(p.stdout)["addresses"]} if p.returncode == 0 else set()
want = support.read_set(f"{SOURCE}/tests/data/sample.pcapng.macs")
check("the installed program scans the sample: tshark's address set", got == want,
      (p.returncode, sorted(got ^ want)[:10]))

# The library: the example program, built against the installed tree with find_package and
# with pkg-config, scans the sample to tshark's address set.
headers = os.path.join(prefix, "include/ouiscan")
check("the library's headers: <ouiscan/ouiscan.h> and each component's folder",
      os.path.isfile(os.path.join(headers, "ouiscan.h")) and
      all(os.path.isdir(os.path.join(headers, c)) for c in ("capture", "pipeline", "ouidb", "scan")))
example = f"{SOURCE}/examples/scan_capture"
built = os.path.join(prefix, "example-build")
p = sh("cmake", "-S", example, "-B", built, f"-DCMAKE_PREFIX_PATH={prefix}", env=env)
if p.returncode == 0:
    p = sh("cmake", "--build", built, env=env)
check("examples/scan_capture builds against the installed tree: find_package(ouiscan)",
      p.returncode == 0, (p.stdout[-1500:], p.stderr[-1500:]))


def example_addresses(binary):
    p = sh(binary, f"{SOURCE}/tests/data/sample.pcapng", env=env)
    return {line.split(" ")[0] for line in p.stdout.splitlines()} if p.returncode == 0 else set()


got = example_addresses(os.path.join(built, "scan_capture"))
check("the example (find_package) scans the sample: tshark's address set", got == want,
      sorted(got ^ want)[:10])
pc_env = dict(env, PKG_CONFIG_PATH=os.path.join(prefix, "lib/pkgconfig"))
flags = sh("pkg-config", "--cflags", "--libs", "ouiscan", env=pc_env)
binary = os.path.join(prefix, "example-pc")
p = sh("sh", "-c", f"g++ -O1 {example}/main.cpp -o {binary} {flags.stdout.strip()}", env=env) \
    if flags.returncode == 0 else flags
check("the example builds with pkg-config --cflags --libs ouiscan", p.returncode == 0,
      (flags.stdout, p.stderr[-1500:]))
got = example_addresses(binary)
check("the example (pkg-config) scans the sample: tshark's address set", got == want,
      sorted(got ^ want)[:10])

# The man page: rendered by man and groff (-ww: every warning), with the sections a man page
# has, and every option of --help (and of each subcommand's) in its text.
page = os.path.join(prefix, "share/man/man1/ouiscan.1")
p = sh("groff", "-man", "-ww", "-z", page)
check("groff renders the man page without a warning", p.returncode == 0 and not p.stderr,
      p.stderr[-500:])
p = sh("man", "-l", page, env=dict(env, MANWIDTH="100", MAN_KEEP_FORMATTING=""))
text = re.sub(r".\x08", "", p.stdout)
sections = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "EXIT STATUS",
            "ENVIRONMENT", "FILES"]
check("man -l shows NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES, EXIT STATUS, ENVIRONMENT, "
      "FILES", p.returncode == 0 and all(re.search(rf"^{s}$", text, re.M) for s in sections),
      (p.returncode, [s for s in sections if not re.search(rf"^{s}$", text, re.M)]))
undocumented = []
for sub in ([], ["lookup"], ["db", "info"], ["db", "update"], ["diff"], ["merge"], ["plan"]):
    help_text = sh(ouiscan, *sub, "--help", env=env).stdout
    for opt in sorted(set(re.findall(r"(?:^|[ ,])(--[a-z][-a-z0-9]*)", help_text)) - {"--help"}):
        if not re.search(rf"(?<![-\w]){re.escape(opt)}(?![-\w])", text):
            undocumented.append(" ".join(sub + [opt]))
check("every long option of every --help is in the man page", not undocumented, undocumented)

# Completions. The interfaces the kernel lists must all be offered for -i (libpcap adds
# pseudo-devices such as "any").
interfaces = set(os.listdir("/sys/class/net"))
cases = [  # (words typed, what must be offered, exactly or at least)
    (["-f", ""], {"table", "json", "jsonl", "csv", "ethers", "html"}, True),
    (["--sort", ""], {"frames", "bytes", "address", "vendor", "first_seen"}, True),
    (["db", ""], {"info", "update"}, True),
    (["--so"], {"--sort"}, True),
    (["plan", "--par"], {"--parts", "--part-size"}, True),
    (["l"], {"lookup"}, True),
    (["-i", ""], interfaces, False),
]


def bash_complete(words):
    typed = " ".join(shlex.quote(w) for w in words)
    script = (f"source {prefix}/share/bash-completion/completions/ouiscan\n"
              f"COMP_WORDS=(ouiscan {typed})\n"
              "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _ouiscan; printf '%s\\n' \"${COMPREPLY[@]}\"")
    p = sh("bash", "--norc", "-c", script, env=env)
    return {x for x in p.stdout.split("\n") if x}


def fish_complete(words):
    line = "ouiscan " + " ".join(words)
    p = sh("fish", "--no-config", "-c",
           f"source {prefix}/share/fish/vendor_completions.d/ouiscan.fish; complete -C '{line}'",
           env=env)
    return {x.split("\t")[0] for x in p.stdout.split("\n") if x}


def zsh_complete(words):
    # zsh completes only inside its line editor: a pseudo-terminal (zsh/zpty) runs an
    # interactive zsh, the line is typed with a TAB, and the listing is read back.
    driver = r'''
zmodload zsh/zpty
zpty -b z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; unsetopt LIST_AMBIGUOUS; LISTMAX=10000"
sleep 0.5
while zpty -r -t z line; do :; done
zpty -w -n z "$2"$'\t'
out=""
idle=0
for i in {1..100}; do
  sleep 0.1; got=0
  while zpty -r -t z line; do out+="$line"; got=1; done
  if (( got )); then idle=0; elif [[ -n $out ]] && (( ++idle >= 5 )); then break; fi
done
print -r -- "$out"
zpty -d z
'''
    p = sh("zsh", "-f", "-c", driver, "zsh", f"{prefix}/share/zsh/vendor-completions",
           "ouiscan " + " ".join(words), env=env)
    shown = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]|\r", " ", p.stdout).replace("\x07", "")
    shown = re.sub(r".\x08", "", shown)  # the terminal's echo: a character, then back over it
    return set(shown.split())


for shell, complete in (("bash", bash_complete), ("fish", fish_complete),
                        ("zsh", zsh_complete)):
    if not shutil.which(shell):
        check(f"{shell} is installed (tools/build.sh deps installs it)", False)
        continue
    for words, want, exact in cases:
        got = complete(words)
        if shell == "zsh":  # what the terminal shows: the line (one match inserted) and a listing
            ok = want <= got
        else:
            ok = got == want if exact else want <= got
        check(f"{shell}: ouiscan {' '.join(words)}<TAB> offers {sorted(want)[:6]}", ok,
              sorted(got)[:40])

shutil.rmtree(prefix, ignore_errors=True)
sys.exit(check.done())
