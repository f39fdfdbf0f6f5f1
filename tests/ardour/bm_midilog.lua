ardour {
	["type"]    = "dsp",
	name        = "BM MIDI Log",
	category    = "Utility",
	license     = "ISC",
	author      = "Bandmate tests",
	description = [[Passes MIDI through and logs every event with its absolute transport sample into shared memory (test fixture)]]
}

local maxev = 8192

function dsp_ioconfig ()
	return { { midi_in = 1, midi_out = 1, audio_in = 0, audio_out = 0}, }
end

function dsp_init (rate)
	self:shmem ():allocate (1 + maxev * 5)
	self:shmem ():clear ()
end

function dsp_run (_, _, n_samples)
	local shm = self:shmem ()
	local n = shm:atomic_get_int (0)
	local buf = shm:to_int (1):array ()
	local pos = Session:transport_sample ()
	local rolling = Session:transport_rolling () and 1 or 0
	for i, b in ipairs (midiin) do
		midiout[i] = b
		if n < maxev then
			local d = b["data"]
			local o = n * 5
			buf[o + 1] = pos + b["time"] - 1
			buf[o + 2] = rolling
			buf[o + 3] = d[1] or -1
			buf[o + 4] = d[2] or -1
			buf[o + 5] = d[3] or -1
			n = n + 1
		end
	end
	shm:atomic_set_int (0, n)
end
