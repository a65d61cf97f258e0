-- wrk script for bench/load/run.sh: replays pre-generated signed WeChat messages.
--
--   wrk -t2 -c32 -d30s --latency -s bench/load/wrk.lua URL -- REQUEST_FILE NTHREADS [DELAY_MS]
--
-- REQUEST_FILE has one request a line, "<path?query>\t<body>" (make_requests.py).
-- Thread k of NTHREADS takes lines k, k+NTHREADS, k+2*NTHREADS, … so the threads
-- send disjoint requests and together walk the file in order (which keeps the
-- openids evenly spread in time). A thread that runs out starts its share again
-- and counts a wrap: for our bot a repeated MsgId is answered from the dedup
-- cache, so run.sh treats wraps > 0 as an invalid run.
-- DELAY_MS > 0 waits that long before each request on a connection (the
-- soak's moderate, roughly constant rate).
-- done() prints one line "WRK_JSON {…}" (and writes it to $WRK_JSON_OUT when set):
-- requests/s, latency percentiles, socket errors, status counts, non-2xx, and
-- which kind of reply came back (FAQ answer with 法律依据, 您是不是想问
-- suggestions, a paged answer, another text reply, "success").

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local file = args[1]
   local nthreads = tonumber(args[2] or "1")
   delay_ms = tonumber(args[3] or "0")
   reqs, n, idx, wraps, sent = {}, 0, 0, 0, 0
   statuses = {}
   replies = {law = 0, suggest = 0, paged = 0, text = 0, success = 0, other = 0}
   local i = 0
   for line in io.lines(file) do
      if i % nthreads == tid then
         local tab = line:find("\t", 1, true)
         n = n + 1
         reqs[n] = wrk.format("POST", line:sub(1, tab - 1), {["Content-Type"] = "text/xml"}, line:sub(tab + 1))
      end
      i = i + 1
   end
   if n == 0 then
      error("no requests for thread " .. tid .. " in " .. file)
   end
end

function request()
   idx = idx + 1
   if idx > n then
      idx = 1
      wraps = wraps + 1
   end
   sent = sent + 1
   return reqs[idx]
end

function delay()
   return delay_ms
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if not body then
      replies.other = replies.other + 1
   elseif body:find("法律依据", 1, true) then
      replies.law = replies.law + 1
   elseif body:find("您是不是想问", 1, true) then
      replies.suggest = replies.suggest + 1
   elseif body:find("回复【更多】", 1, true) then
      replies.paged = replies.paged + 1
   elseif body:find("CDATA[text]", 1, true) then
      replies.text = replies.text + 1
   elseif body == "success" then
      replies.success = replies.success + 1
   else
      replies.other = replies.other + 1
   end
end

-- minimal JSON writer (numbers, strings without escapes, nested tables with string keys)
local function json(v)
   local t = type(v)
   if t == "table" and #v > 0 then
      local parts = {}
      for _, item in ipairs(v) do parts[#parts + 1] = json(item) end
      return "[" .. table.concat(parts, ",") .. "]"
   elseif t == "table" then
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = tostring(k) end
      table.sort(keys)
      local parts = {}
      for _, k in ipairs(keys) do
         local val = v[k]
         if val == nil then val = v[tonumber(k)] end
         parts[#parts + 1] = '"' .. k .. '":' .. json(val)
      end
      return "{" .. table.concat(parts, ",") .. "}"
   elseif t == "number" then
      if v ~= v or v == math.huge or v == -math.huge then return "null" end
      if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%d", v) end
      return string.format("%.3f", v)
   elseif t == "boolean" then
      return tostring(v)
   elseif v == nil then
      return "null"
   end
   return '"' .. tostring(v) .. '"'
end

function done(summary, latency, requests)
   local statuses_all, replies_all = {}, {}
   local wraps_all, sent_all, per_thread = 0, 0, {}
   for _, thread in ipairs(threads) do
      local st = thread:get("statuses") or {}
      for k, c in pairs(st) do statuses_all[k] = (statuses_all[k] or 0) + c end
      local rp = thread:get("replies") or {}
      for k, c in pairs(rp) do replies_all[k] = (replies_all[k] or 0) + c end
      local w, s, n = thread:get("wraps") or 0, thread:get("sent") or 0, thread:get("n") or 0
      wraps_all, sent_all = wraps_all + w, sent_all + s
      per_thread[#per_thread + 1] = {tid = thread:get("tid"), requests_loaded = n, sent = s, wraps = w}
   end
   local non2xx = 0
   for k, c in pairs(statuses_all) do
      local code = tonumber(k)
      if code < 200 or code > 299 then non2xx = non2xx + c end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   local out = {
      requests = summary.requests,
      duration_s = secs,
      rps = summary.requests / secs,
      bytes = summary.bytes,
      latency_ms = {
         mean = latency.mean / 1000, stdev = latency.stdev / 1000, max = latency.max / 1000,
         p50 = latency:percentile(50) / 1000, p90 = latency:percentile(90) / 1000,
         p99 = latency:percentile(99) / 1000, p99_9 = latency:percentile(99.9) / 1000,
      },
      socket_errors = {connect = e.connect, read = e.read, write = e.write, timeout = e.timeout},
      status_errors = e.status,
      non_2xx = non2xx,
      errors = e.connect + e.read + e.write + e.timeout + non2xx,
      statuses = statuses_all,
      replies = replies_all,
      sent = sent_all,
      wraps = wraps_all,
      threads = per_thread,
   }
   local line = json(out)
   io.write("WRK_JSON " .. line .. "\n")
   local path = os.getenv("WRK_JSON_OUT")
   if path and path ~= "" then
      local f = assert(io.open(path, "w"))
      f:write(line .. "\n")
      f:close()
   end
end
