-- wrk script: each connection's next request is the next line of the file named by BENCH_ITEMS, the
-- lines split between wrk's threads (thread t takes lines t, t+T, t+2T, ...; then starts over).
-- A line is tab-separated: METHOD, PATH, Authorization header value, and an optional body.
-- BENCH_THREADS must equal wrk's -t.

local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
end

function init(args)
   local step = tonumber(os.getenv("BENCH_THREADS") or "1")
   local all = {}
   for line in io.lines(os.getenv("BENCH_ITEMS")) do
      local method, path, auth, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]*)\t?(.*)$")
      if method then
         local headers = {["Authorization"] = auth}
         if body ~= "" then
            headers["Content-Type"] = "application/json"
         else
            body = nil
         end
         all[#all + 1] = wrk.format(method, path, headers, body)
      end
   end
   items = {}
   for i = id + 1, #all, step do
      items[#items + 1] = all[i]
   end
   if #items == 0 then
      items = all
   end
   pos = 0
end

function request()
   pos = pos % #items + 1
   return items[pos]
end
