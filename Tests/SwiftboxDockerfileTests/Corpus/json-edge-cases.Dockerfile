FROM busybox
# Not JSON (unterminated bracket, single quotes, trailing text): the shell form.
RUN ["echo", "unterminated"
CMD ['single', 'quotes']
ENTRYPOINT ["echo"] trailing
# JSON with escapes and unicode.
RUN ["printf", "%s\n", "tab\there", "quote\"d", "\u00e9\ud83d\ude00", "back\\slash"]
# A JSON string that holds JSON.
CMD ["echo", "[\"nested\"]"]
VOLUME ["/data", "/logs"]
VOLUME /a /b   /c
