#!/usr/bin/env python3
"""The build phase of jsii kernel profiles (NODE_OPTIONS="--cpu-prof --cpu-prof-dir=D" for the Go
program): samples under the kernel's request handling, outside module loading, _Kernel_load and synth,
by what they do; medians over the files, ms. The profiler samples wall time: a blocked read of the next
request counts. usage: kernelbuild.py FILE.cpuprofile ..."""
import collections, json, re, statistics, sys
def pkg(url):
    if not url: return "(native)"
    if url.startswith("node:"): return "node internals"
    m = re.search(r"node_modules/((?:@[^/]+/)?[^/]+)", url)
    if m: return m.group(1)
    if "lazyprovider" in url or url.endswith("hook.js"): return "hook"
    return url.rsplit("/",1)[-1]
bypk=collections.defaultdict(list); byfn=collections.Counter(); bycat=collections.defaultdict(list)
for f in sys.argv[1:]:
    p=json.load(open(f)); nodes={n["id"]:n for n in p["nodes"]}
    parent={c:n["id"] for n in p["nodes"] for c in n.get("children",[])}
    deltas=p["timeDeltas"][1:]+[0]; c=collections.Counter(); cat=collections.Counter()
    for sid,dt in zip(p["samples"],deltas):
        st=[];q=sid
        while q in nodes: st.append(nodes[q]["callFrame"]); q=parent.get(q)
        fns=[x["functionName"] for x in st]
        if "synth" in fns or "_Kernel_load" in fns or "require" in fns: continue
        # in build phase: request-related
        if not any(x.startswith("_Kernel_") or x in ("readLine","writeLine","processRequest","main") for x in fns): continue
        leaf=st[0]
        if "readLine" in fns: k="read request (incl. blocked)"
        elif "writeLine" in fns: k="write answer"
        elif leaf["functionName"] in ("(garbage collector)",): k="GC"
        elif any(pkg(x["url"]) in ("cdktf","constructs") or "provider-aws" in pkg(x["url"]) for x in st): k="constructors, getters (cdktf, provider code)"
        elif "parse" in fns: k="JSON.parse of requests"
        elif "stringify" in fns: k="JSON.stringify of answers"
        else: k="kernel own: "+pkg(leaf["url"])
        cat[k]+=dt/1000
        byfn[(leaf["functionName"],pkg(leaf["url"]))]+=dt/1000/(len(sys.argv)-1)
    for k,v in cat.items(): bycat[k].append(v)
n=len(sys.argv)-1
for k,v in sorted(bycat.items(), key=lambda kv:-sum(kv[1])):
    print(f"{statistics.median(v+[0]*(n-len(v))):7.1f} ms {k}")
print("top self (mean):")
for (fn,pk),v in byfn.most_common(25): print(f"{v:7.1f} ms {fn} [{pk}]")
