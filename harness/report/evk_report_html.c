/* report.html: one self-contained page (no external fetch): the report JSON
 * embedded in a <script type="application/json"> and rendered by inline JS:
 * a summary bar, filters by verdict and group, and per case expected vs
 * observed, the rule, the transcript as a timeline, and the Ack latency. */
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_report.h"

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>evack report</title>\n<style>\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}\n"
    "header{background:#1d2330;color:#fff;padding:14px 20px}header h1{margin:0;font-size:18px}\n"
    "header .meta{opacity:.8;font-size:13px;margin-top:4px;word-break:break-all}\n"
    "main{padding:16px 20px}\n"
    ".bar{display:flex;height:26px;border-radius:4px;overflow:hidden;margin:8px 0 4px}\n"
    ".bar div{color:#fff;font-size:12px;display:flex;align-items:center;justify-content:center;min-width:0}\n"
    ".counts{display:flex;gap:14px;flex-wrap:wrap;margin:6px 0 12px}.counts span b{font-size:16px}\n"
    ".pass{background:#2e8b57}.fail{background:#c62828}.non-strict{background:#e0a100}"
    ".informational{background:#1e88a8}.skip{background:#8a8f98}\n"
    ".filters{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}\n"
    ".filters label{background:#fff;border:1px solid #ccd;border-radius:14px;padding:3px 10px;cursor:pointer}\n"
    "table{border-collapse:collapse;width:100%;background:#fff}\n"
    "th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e5ea;vertical-align:top}\n"
    "th{background:#eceef2;position:sticky;top:0}\n"
    "tr.case{cursor:pointer}tr.case:hover{background:#f2f5ff}\n"
    ".v{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}\n"
    ".detail td{background:#fafbfc}.detail dl{margin:0}.detail dt{font-weight:600;margin-top:6px}\n"
    ".detail dd{margin:2px 0 0 0}\n"
    ".tl{font:12px/1.5 ui-monospace,monospace;border-left:2px solid #ccd;margin:6px 0;padding-left:8px}\n"
    ".tl div{white-space:pre-wrap;word-break:break-all}.tl .out{color:#1742a8}.tl .in{color:#7a3d00}"
    ".tl .note{color:#666;font-style:italic}\n"
    ".chart{display:flex;align-items:flex-end;gap:2px;height:80px;margin:6px 0}"
    ".chart div{background:#1e88a8;width:14px}\n"
    "code{font:12px ui-monospace,monospace}\n"
    "</style></head><body>\n"
    "<header><h1>evack conformance report</h1><div class=\"meta\" id=\"meta\"></div></header>\n"
    "<main><div class=\"bar\" id=\"bar\"></div><div class=\"counts\" id=\"counts\"></div>\n"
    "<div class=\"filters\" id=\"verdicts\"></div><div class=\"filters\" id=\"groups\"></div>\n"
    "<table><thead><tr><th>case</th><th>verdict</th><th>observed</th><th>ms</th></tr></thead>"
    "<tbody id=\"rows\"></tbody></table></main>\n"
    "<script type=\"application/json\" id=\"report\">\n";

static const char page_tail[] =
    "</script>\n<script>\n"
    "const R=JSON.parse(document.getElementById('report').textContent);\n"
    "const V=['pass','fail','non-strict','informational','skip'];\n"
    "const S=R.summary,K={pass:S.pass,fail:S.fail,'non-strict':S.non_strict,informational:S.informational,skip:S.skip};\n"
    "function el(t,a,txt){const e=document.createElement(t);if(a)for(const k in a)e.setAttribute(k,a[k]);if(txt!==undefined)e.textContent=txt;return e;}\n"
    "document.getElementById('meta').textContent=`target ${R.target} (${R.role}), profile ${R.profile}, `+\n"
    "  `${S.total} cases in ${(R.duration_ms/1000).toFixed(1)} s`+(R.complete?'':' — INTERRUPTED, incomplete');\n"
    "const bar=document.getElementById('bar'),counts=document.getElementById('counts');\n"
    "for(const v of V){if(K[v]){const d=el('div',{class:v,title:v});d.style.flex=K[v];d.textContent=K[v];bar.appendChild(d);}\n"
    "  const s=el('span',{'data-verdict':v});s.innerHTML=`<b></b> ${v}`;s.firstChild.textContent=K[v];counts.appendChild(s);}\n"
    "const on={};const gon={};\n"
    "function chip(box,key,state,name){const l=el('label');const c=el('input',{type:'checkbox'});c.checked=true;state[key]=true;\n"
    "  c.onchange=()=>{state[key]=c.checked;render();};l.appendChild(c);l.appendChild(document.createTextNode(' '+name));box.appendChild(l);}\n"
    "for(const v of V)chip(document.getElementById('verdicts'),v,on,v);\n"
    "const groups=[...new Set(R.cases.map(c=>c.group))];for(const g of groups)chip(document.getElementById('groups'),g,gon,g);\n"
    "function timeline(c){const box=el('div',{class:'tl'});\n"
    "  for(const e of c.transcript){let t=`${String(e.t_ms).padStart(6)} ms ${e.dir.padEnd(4)} ${e.kind}`;\n"
    "    if(e.kind==='close')t+=` ${e.code}`;if(e.size!==undefined)t+=` (${e.size} B${e.fragments?', '+e.fragments+' fragments':''}${e.truncated?', cut':''})`;\n"
    "    if(e.data)t+=' '+(e.data.length>400?e.data.slice(0,400)+'…':e.data);box.appendChild(el('div',{class:e.dir},t));}\n"
    "  if(c.transcript_dropped)box.appendChild(el('div',{class:'note'},`… ${c.transcript_dropped} more entries not kept`));return box;}\n"
    "function chart(c){const acks=[];for(const e of c.transcript)if(e.dir==='in'&&e.kind==='text')acks.push(e.t_ms);\n"
    "  const l=c.latency_ms,box=el('div');box.appendChild(el('div',null,`Ack latency over ${l.samples} Acks: p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`));\n"
    "  const ch=el('div',{class:'chart',title:'p50 / p99 / max (ms)'});const m=Math.max(l.max,1);\n"
    "  for(const [k,v] of [['p50',l.p50],['p99',l.p99],['max',l.max]]){const d=el('div',{title:`${k} ${v} ms`});d.style.height=Math.max(2,80*v/m)+'px';ch.appendChild(d);}\n"
    "  box.appendChild(ch);return box;}\n"
    "function render(){const tb=document.getElementById('rows');tb.textContent='';\n"
    "  for(const c of R.cases){if(!on[c.verdict]||!gon[c.group])continue;\n"
    "    const tr=el('tr',{class:'case','data-verdict':c.verdict});tr.appendChild(el('td',null)).appendChild(el('code',null,c.id));\n"
    "    const v=el('td');v.appendChild(el('span',{class:'v '+c.verdict},c.baseline?c.baseline:c.verdict));tr.appendChild(v);\n"
    "    tr.appendChild(el('td',null,c.observed));tr.appendChild(el('td',null,String(c.duration_ms)));tb.appendChild(tr);\n"
    "    const d=el('tr',{class:'detail'});d.hidden=true;const td=el('td',{colspan:4});const dl=el('dl');\n"
    "    for(const [k,val] of [['rule',c.spec],['does',c.doing],['expected',c.expected],['observed',c.observed]]){dl.appendChild(el('dt',null,k));dl.appendChild(el('dd',null,val));}\n"
    "    td.appendChild(dl);if(c.latency_ms)td.appendChild(chart(c));td.appendChild(el('dt',null,'transcript'));td.appendChild(timeline(c));\n"
    "    d.appendChild(td);tb.appendChild(d);tr.onclick=()=>{d.hidden=!d.hidden;};}}\n"
    "render();\n</script></body></html>\n";

int evk_report_html(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n)
{
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    if (!mem) return EVK_ENOMEM;
    int rc = evk_report_json(mem, info, r, n);
    fclose(mem);
    if (rc) {
        free(json);
        return rc;
    }
    fputs(page_head, f);
    /* "</" inside the JSON could end the script element: write it as "<\/". */
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '<' && i + 1 < len && json[i + 1] == '/') fputs("<\\", f);
        else fputc(json[i], f);
    }
    fputs(page_tail, f);
    free(json);
    return ferror(f) ? EVK_EIO : 0;
}
