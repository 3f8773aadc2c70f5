import inspect
import typedstats
help(typedstats.rms)
inspect.signature(typedstats.scale)
typedstats.scale.__text_signature__
