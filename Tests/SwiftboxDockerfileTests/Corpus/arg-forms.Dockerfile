ARG BASE=alpine
ARG TAG="3.19"
ARG UNSET
FROM ${BASE}:${TAG}
ARG A B=2 C="three four"
ARG EMPTY=
ARG TAG
ARG QUOTE='single'
RUN echo $A $B $C $TAG
