from flask import Blueprint

bp = Blueprint("distribution", __name__)
